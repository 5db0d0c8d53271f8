//! Argon2id hashing into PHC strings, with the algorithm's working memory (19 MiB for
//! the default parameters) reused from one hash to the next instead of allocated for
//! each. The system allocator keeps a freed block of that size for the thread that
//! freed it, so allocating per hash left about 19 MiB resident for every thread that
//! ever hashed: hundreds of MiB after a burst of sign-ins.

use std::sync::{Mutex, OnceLock, PoisonError};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash as Phc, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Working memory kept for the next hash: at most one per core, since hashes run at
/// most one per core at once.
static SPARE_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `work` with `blocks` blocks of working memory, reusing spare memory.
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let reused = SPARE_MEMORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop()
        .filter(|memory| memory.len() == blocks);
    let mut memory = reused.unwrap_or_else(|| vec![Block::default(); blocks]);
    let outcome = work(&mut memory);
    static MOST: OnceLock<usize> = OnceLock::new();
    let most = *MOST
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let mut spare = SPARE_MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
    if spare.len() < most {
        spare.push(memory);
    }
    outcome
}

/// Why a hash could not be made.
#[derive(Debug)]
pub(crate) struct Failed(pub(crate) String);

/// The PHC string of `password` hashed with Argon2id (version 0x13, default
/// parameters) and a fresh random salt.
pub(crate) fn hash(password: &[u8]) -> Result<String, Failed> {
    let salt =
        argon2::password_hash::try_generate_salt().map_err(|error| Failed(error.to_string()))?;
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, &salt, &mut output, memory)
    })
    .map_err(|error| Failed(error.to_string()))?;
    let phc = Phc {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|error| Failed(error.to_string()))?,
        salt: Some(Salt::new(&salt).map_err(|error| Failed(error.to_string()))?),
        hash: Some(Output::new(&output).map_err(|error| Failed(error.to_string()))?),
    };
    Ok(phc.to_string())
}

/// Whether `candidate` is the password behind the PHC string `stored`; a malformed
/// string, or one for another algorithm, verifies nothing. The comparison takes the
/// same time wherever the outputs differ.
pub(crate) fn verify(candidate: &[u8], stored: &str) -> bool {
    let Ok(phc) = Phc::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = phc.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let Ok(params) = Params::try_from(&phc) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut output = vec![0u8; expected.len()];
    let computed = with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(candidate, salt, &mut output, memory)
    });
    computed.is_ok() && Output::new(&output).is_ok_and(|computed| &computed == expected)
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;

    use super::*;

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        let ours = hash(b"a walk by the canal").unwrap_or_default();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        assert!(Argon2::default().verify_password(b"a walk by the canal", ours.as_str()).is_ok());
        let theirs = argon2::PasswordHasher::hash_password(&Argon2::default(), b"swim on fridays")
            .map(|hash| hash.to_string())
            .unwrap_or_default();
        assert!(verify(b"swim on fridays", &theirs));
        assert!(!verify(b"swim on mondays", &theirs));
        assert!(!verify(b"swim on fridays", "not a hash"));
        assert!(!verify(b"swim on fridays", ""));
    }

    #[test]
    fn memory_is_reused() {
        let blocks = Params::default().block_count();
        with_memory(blocks, |memory| memory[0] = Block::default());
        let spare = SPARE_MEMORY.lock().unwrap_or_else(PoisonError::into_inner).len();
        assert!(spare >= 1);
    }
}
