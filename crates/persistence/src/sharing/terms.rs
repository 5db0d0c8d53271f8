//! Which goals a share shows, as the JSON text of `shares.goals`:
//! `{"all_active": {"why": false, "steps": true, "check_in_notes": false}}` or
//! `{"chosen": [{"goal_id": "…", "why": …, "steps": …, "check_in_notes": …}]}`.

use serde_json::{Map, Value, json};
use waymark_domain::goals::GoalId;
use waymark_domain::ports::StoreError;
use waymark_domain::sharing::{ChosenGoal, GoalFields, SharedGoals};

fn fields_json(fields: GoalFields) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("why".to_owned(), fields.why.into());
    object.insert("steps".to_owned(), fields.steps.into());
    object.insert("check_in_notes".to_owned(), fields.check_in_notes.into());
    object
}

/// The stored text of `goals`.
pub(super) fn to_text(goals: &SharedGoals) -> String {
    let value = match goals {
        SharedGoals::AllActive(fields) => json!({ "all_active": fields_json(*fields) }),
        SharedGoals::Chosen(chosen) => {
            let items: Vec<Value> = chosen
                .iter()
                .map(|choice| {
                    let mut object = fields_json(choice.fields);
                    object.insert("goal_id".to_owned(), choice.goal.0.to_string().into());
                    Value::Object(object)
                })
                .collect();
            json!({ "chosen": items })
        }
    };
    value.to_string()
}

fn fields_of(value: &Value) -> Option<GoalFields> {
    Some(GoalFields {
        why: value.get("why")?.as_bool()?,
        steps: value.get("steps")?.as_bool()?,
        check_in_notes: value.get("check_in_notes")?.as_bool()?,
    })
}

/// The goals a stored text names.
///
/// # Errors
/// [`StoreError::Unexpected`] for text this version did not write.
pub(super) fn from_text(text: &str) -> Result<SharedGoals, StoreError> {
    let corrupt = || StoreError::Unexpected(anyhow::anyhow!("a share's stored goals: {text:?}"));
    let value: Value = serde_json::from_str(text).map_err(|_| corrupt())?;
    if let Some(fields) = value.get("all_active") {
        return fields_of(fields).map(SharedGoals::AllActive).ok_or_else(corrupt);
    }
    let chosen = value.get("chosen").and_then(Value::as_array).ok_or_else(corrupt)?;
    chosen
        .iter()
        .map(|item| {
            let goal = item
                .get("goal_id")
                .and_then(Value::as_str)
                .and_then(|id| uuid::Uuid::parse_str(id).ok())?;
            Some(ChosenGoal { goal: GoalId(goal), fields: fields_of(item)? })
        })
        .collect::<Option<Vec<_>>>()
        .map(SharedGoals::Chosen)
        .ok_or_else(corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let fields = GoalFields { why: true, steps: false, check_in_notes: true };
        for goals in [
            SharedGoals::AllActive(fields),
            SharedGoals::Chosen(Vec::new()),
            SharedGoals::Chosen(vec![ChosenGoal { goal: GoalId(uuid::Uuid::now_v7()), fields }]),
        ] {
            assert_eq!(from_text(&to_text(&goals)).ok(), Some(goals));
        }
        assert!(from_text("{\"chosen\": [{\"goal_id\": 3}]}").is_err());
    }
}
