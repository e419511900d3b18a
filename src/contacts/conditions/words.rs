//! A view's conditions in one line, as the list shows them under its title: "Account is Acme
//! · Created in the last 365 days · Last invited more than 14 days ago".

use std::collections::HashMap;

use super::{Condition, Field, Kind, Operator, Value};

/// The names of the accounts and imports conditions point at; one missing was deleted.
#[derive(Debug, Default)]
pub struct Names {
    pub accounts: HashMap<i64, String>,
    pub imports: HashMap<i64, String>,
}

pub fn describe(conditions: &[Condition], match_any: bool, names: &Names) -> String {
    if conditions.is_empty() {
        return "Every contact".to_owned();
    }
    let said: Vec<String> = conditions
        .iter()
        .map(|condition| one(condition, names))
        .collect();
    if match_any && said.len() > 1 {
        format!("Any of: {}", said.join(" · "))
    } else {
        said.join(" · ")
    }
}

fn one(condition: &Condition, names: &Names) -> String {
    let field = condition.field;
    let label = field.label();
    let (value, until) = condition.value_text();
    match (field.kind(), condition.operator, &condition.value) {
        (Kind::Reference, operator, Value::Id(id)) => {
            let named = match field {
                Field::Account => names
                    .accounts
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "an account that was deleted".to_owned()),
                _ => names
                    .imports
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "an import that was deleted".to_owned()),
            };
            match (field, operator) {
                (Field::Account, Operator::Is) => format!("Account is {named}"),
                (Field::Account, _) => format!("Account is not {named}"),
                (_, Operator::Is) => format!("Imported in {named}"),
                _ => format!("Not imported in {named}"),
            }
        }
        (_, Operator::IsEmpty, _) => match field {
            Field::Account => "Without an account".to_owned(),
            Field::Import => "Not imported".to_owned(),
            Field::LastInvited => "Never invited".to_owned(),
            Field::Activated => "Not activated".to_owned(),
            Field::LastTicket => "No tickets".to_owned(),
            _ => format!("{label} is empty"),
        },
        (_, Operator::IsNotEmpty, _) => match field {
            Field::Account => "With an account".to_owned(),
            Field::Import => "Imported from a file".to_owned(),
            Field::LastInvited => "Invited at least once".to_owned(),
            Field::Activated => "Activated".to_owned(),
            Field::LastTicket => "Has tickets".to_owned(),
            _ => format!("{label} is not empty"),
        },
        (Kind::Text, operator, _) => format!("{label} {} “{value}”", operator.label()),
        (Kind::Status, Operator::Is, _) => format!("{label} is {value}"),
        (Kind::Status, _, _) => format!("{label} is not {value}"),
        (Kind::Flag, operator, Value::Flag(flag)) => {
            if *flag == (operator == Operator::Is) {
                "Marked as spam".to_owned()
            } else {
                "Not marked as spam".to_owned()
            }
        }
        (Kind::Date, Operator::Before, _) => format!("{label} before {value}"),
        (Kind::Date, Operator::After, _) => format!("{label} after {value}"),
        (Kind::Date, Operator::Between, _) => format!("{label} {value} to {until}"),
        (Kind::Date, Operator::InTheLast, Value::Days(1)) => format!("{label} today"),
        (Kind::Date, Operator::InTheLast, _) => format!("{label} in the last {value} days"),
        (Kind::Date, Operator::MoreThanAgo, Value::Days(1)) => format!("{label} before today"),
        (Kind::Date, _, _) => format!("{label} more than {value} days ago"),
        (_, operator, _) => format!("{label} {} {value}", operator.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(field: Field, operator: Operator, value: &str) -> Condition {
        Condition::parse(field, operator, value, "").unwrap()
    }

    #[test]
    fn the_issues_example_reads_as_written() {
        let names = Names {
            accounts: HashMap::from([(7, "Acme".to_owned())]),
            ..Names::default()
        };
        let conditions = [
            condition(Field::Account, Operator::Is, "7"),
            condition(Field::Created, Operator::InTheLast, "365"),
            condition(Field::Status, Operator::Is, "invited"),
            condition(Field::LastInvited, Operator::MoreThanAgo, "14"),
        ];
        assert_eq!(
            describe(&conditions, false, &names),
            "Account is Acme · Created in the last 365 days · Help Center status is Invited \
             · Last invited more than 14 days ago"
        );
    }

    #[test]
    fn any_says_so_and_deleted_accounts_are_named_as_such() {
        let conditions = [
            condition(Field::Account, Operator::Is, "8"),
            condition(Field::OpenTickets, Operator::GreaterThan, "2"),
        ];
        assert_eq!(
            describe(&conditions, true, &Names::default()),
            "Any of: Account is an account that was deleted · Open tickets > 2"
        );
        assert_eq!(describe(&[], true, &Names::default()), "Every contact");
    }
}
