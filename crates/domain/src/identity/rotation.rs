//! The rules of refresh-token rotation (OAuth 2.1 section 4.3.1, RFC 9700 section
//! 4.14.2): a refresh token works once; its replacement carries the same sign-in on;
//! a spent token presented again means it was copied, so the whole sign-in ends; and
//! a sign-in the person ended since (a password change, "sign out everywhere") never
//! refreshes. Storage finds the facts and carries out the decision in one transaction.

use super::client::ClientId;

/// What storage found about a refresh token presented for rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedToken {
    /// It was usable, and presenting it has just spent it.
    pub spent_now: bool,
    /// It had been spent before (used, then presented again).
    pub spent_before: bool,
    /// Its lifetime is over.
    pub expired: bool,
    /// Its account still exists at the token epoch its sign-in began in.
    pub sessions_live: bool,
}

/// What to do with a presented refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationDecision {
    /// Store its replacement in the same sign-in.
    Rotate,
    /// Refuse it, and end the sign-in it belongs to, every token of it.
    EndSignIn {
        /// Because it was presented again after it was spent: someone copied it.
        reused: bool,
    },
    /// Refuse it; nothing else changes.
    Refuse,
}

/// Whether a refresh token issued to `issued_to` may be revoked by `asking` (`None`:
/// no client authenticated): only by the client it was issued to, or without a client
/// when it was issued to none (RFC 7009 section 2.1).
#[must_use]
pub fn may_revoke(issued_to: Option<ClientId>, asking: Option<ClientId>) -> bool {
    issued_to == asking
}

/// What to do with `token`.
#[must_use]
pub fn decide(token: PresentedToken) -> RotationDecision {
    if !token.spent_now {
        // Spent before: a copy. Revoked but never used: simply not valid.
        return if token.spent_before {
            RotationDecision::EndSignIn { reused: true }
        } else {
            RotationDecision::Refuse
        };
    }
    if token.expired {
        return RotationDecision::Refuse;
    }
    if !token.sessions_live {
        // Issued to a sign-in the person ended since (racing a password change, say).
        return RotationDecision::EndSignIn { reused: false };
    }
    RotationDecision::Rotate
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: PresentedToken = PresentedToken {
        spent_now: true,
        spent_before: false,
        expired: false,
        sessions_live: true,
    };

    #[test]
    fn a_fresh_token_of_a_live_sign_in_rotates() {
        assert_eq!(decide(FRESH), RotationDecision::Rotate);
    }

    #[test]
    fn a_spent_token_presented_again_ends_its_sign_in() {
        let copied = PresentedToken { spent_now: false, spent_before: true, ..FRESH };
        assert_eq!(decide(copied), RotationDecision::EndSignIn { reused: true });
    }

    #[test]
    fn a_revoked_or_expired_token_is_refused_and_changes_nothing() {
        let revoked = PresentedToken { spent_now: false, spent_before: false, ..FRESH };
        assert_eq!(decide(revoked), RotationDecision::Refuse);
        assert_eq!(decide(PresentedToken { expired: true, ..FRESH }), RotationDecision::Refuse);
    }

    #[test]
    fn a_token_of_a_sign_in_ended_since_ends_what_descends_from_it() {
        let ended = PresentedToken { sessions_live: false, ..FRESH };
        assert_eq!(decide(ended), RotationDecision::EndSignIn { reused: false });
    }
}
