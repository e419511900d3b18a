//! The custom view form: what an agent typed, kept as typed so a rejected form comes back as
//! sent, and checked field by field and row by row.

use crate::contacts::columns::{self, MAX_COLUMNS};
use crate::contacts::conditions::{Condition, ConditionError, Field, Names, Operator};
use crate::contacts::custom_views::{shown_value, CustomView, RowDraft, ViewDraft};
use crate::contacts::Sort;

const NAME_MAX_CHARS: usize = 100;
/// Empty rows below a view's conditions, for adding one without JavaScript.
pub const EMPTY_ROWS: usize = 2;
/// Rows a form holds at most, "Add condition" included.
pub const MAX_ROWS: usize = 20;

#[derive(Debug, Default, Clone)]
pub struct ViewForm {
    pub name: String,
    pub visibility: String,
    /// "all" or "any".
    pub matching: String,
    pub sort: String,
    pub dir: String,
    pub rows: Vec<RowForm>,
    /// The field shown in each column after the name, "" for none; `MAX_COLUMNS` of them.
    pub columns: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub struct RowForm {
    pub field: String,
    pub operator: String,
    pub value: String,
    pub until: String,
}

impl RowForm {
    fn is_blank(&self) -> bool {
        [&self.field, &self.operator, &self.value, &self.until]
            .iter()
            .all(|part| part.trim().is_empty())
    }
}

/// What the button pressed asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Save,
    AddRow,
    RemoveRow(usize),
}

#[derive(Debug, Default)]
pub struct ViewFieldErrors {
    pub name: Option<String>,
    pub matching: Option<String>,
    pub sort: Option<String>,
    pub visibility: Option<String>,
    pub columns: Option<String>,
    /// Beside each row of `ViewForm::rows`.
    pub rows: Vec<Option<String>>,
}

impl ViewFieldErrors {
    pub fn any(&self) -> bool {
        [
            &self.name,
            &self.matching,
            &self.sort,
            &self.visibility,
            &self.columns,
        ]
        .iter()
        .any(|error| error.is_some())
            || self.rows.iter().any(Option::is_some)
    }

    pub fn row(&self, index: &usize) -> Option<&str> {
        self.rows.get(*index).and_then(|error| error.as_deref())
    }

    /// The errors `save` found in the conditions, each beside its row.
    pub fn with_conditions(mut self, found: Vec<(usize, ConditionError)>) -> ViewFieldErrors {
        for (index, error) in found {
            if self.rows.len() <= index {
                self.rows.resize(index + 1, None);
            }
            self.rows[index] = Some(error.to_string());
        }
        self
    }
}

impl ViewForm {
    pub fn for_new_view() -> ViewForm {
        ViewForm {
            visibility: "private".to_owned(),
            matching: "all".to_owned(),
            sort: Sort::Name.as_str().to_owned(),
            dir: "asc".to_owned(),
            rows: vec![RowForm::default(); EMPTY_ROWS + 1],
            columns: column_slots(&columns::USUAL),
            ..ViewForm::default()
        }
    }

    /// The form of a saved view, its accounts and imports by name, with empty rows after.
    pub fn of_view(view: &CustomView, names: &Names) -> ViewForm {
        let mut rows: Vec<RowForm> = view
            .conditions
            .iter()
            .map(|condition| row_of(condition, names))
            .collect();
        rows.extend(std::iter::repeat_n(RowForm::default(), EMPTY_ROWS));
        ViewForm {
            name: view.name.clone(),
            visibility: if view.shared { "shared" } else { "private" }.to_owned(),
            matching: if view.match_any { "any" } else { "all" }.to_owned(),
            sort: view.sort.clone(),
            dir: if view.descending { "desc" } else { "asc" }.to_owned(),
            rows,
            columns: column_slots(&view.shown_columns()),
        }
    }

    /// The form from its posted pairs ("field_0", "operator_0", "value_0", "until_0", …) and
    /// the button pressed.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> (ViewForm, Intent) {
        let mut form = ViewForm {
            columns: vec![String::new(); MAX_COLUMNS],
            ..ViewForm::default()
        };
        let mut intent = Intent::Save;
        for (key, value) in pairs {
            match key.as_str() {
                "name" => form.name = value,
                "visibility" => form.visibility = value,
                "match" => form.matching = value,
                "sort" => form.sort = value,
                "dir" => form.dir = value,
                "add" => intent = Intent::AddRow,
                "remove" => {
                    if let Ok(index) = value.parse() {
                        intent = Intent::RemoveRow(index);
                    }
                }
                _ => {
                    let Some((part, index)) = key.rsplit_once('_') else {
                        continue;
                    };
                    let Some(index) = index.parse::<usize>().ok().filter(|i| *i < MAX_ROWS) else {
                        continue;
                    };
                    if part == "column" {
                        if let Some(slot) = form.columns.get_mut(index) {
                            *slot = value;
                        }
                        continue;
                    }
                    if form.rows.len() <= index {
                        form.rows.resize(index + 1, RowForm::default());
                    }
                    let row = &mut form.rows[index];
                    match part {
                        "field" => row.field = value,
                        "operator" => row.operator = value,
                        "value" => row.value = value,
                        "until" => row.until = value,
                        _ => {}
                    }
                }
            }
        }
        (form, intent)
    }

    /// Adds an empty row or removes one, as the buttons beside the rows ask.
    pub fn apply(&mut self, intent: Intent) {
        match intent {
            Intent::AddRow if self.rows.len() < MAX_ROWS => self.rows.push(RowForm::default()),
            Intent::RemoveRow(index) if index < self.rows.len() => {
                self.rows.remove(index);
                if self.rows.iter().all(RowForm::is_blank) && self.rows.len() < EMPTY_ROWS {
                    self.rows.push(RowForm::default());
                }
            }
            _ => {}
        }
    }

    /// The view to save, or the errors to show beside each field and row. Values are checked
    /// by `custom_views::save`, which looks up accounts and imports.
    pub fn parse(&self) -> Result<ViewDraft, Box<ViewFieldErrors>> {
        let mut errors = ViewFieldErrors {
            rows: vec![None; self.rows.len()],
            ..ViewFieldErrors::default()
        };
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.name = Some("Give the view a name.".to_owned());
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.name = Some(format!("Keep the name to {NAME_MAX_CHARS} characters."));
        }
        let match_any = match self.matching.as_str() {
            "" | "all" => false,
            "any" => true,
            _ => {
                errors.matching = Some("Pick all or any.".to_owned());
                false
            }
        };
        let sort = match self.sort.as_str() {
            "" => Some(Sort::Name),
            other => Sort::parse(other),
        };
        let descending = match self.dir.as_str() {
            "" | "asc" => Some(false),
            "desc" => Some(true),
            _ => None,
        };
        let (sort, descending) = match (sort, descending) {
            (Some(sort), Some(descending)) => (sort, descending),
            _ => {
                errors.sort = Some("Pick a sort and a direction from the lists.".to_owned());
                (Sort::Name, false)
            }
        };
        let shared = match self.visibility.as_str() {
            "" | "private" => false,
            "shared" => true,
            _ => {
                errors.visibility = Some("Pick who can see this view.".to_owned());
                false
            }
        };
        let mut rows = Vec::new();
        for (index, row) in self.rows.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            let Some(field) = Field::parse(row.field.trim()) else {
                errors.rows[index] = Some("Pick a field from the list.".to_owned());
                continue;
            };
            let Some(operator) = Operator::parse(row.operator.trim()) else {
                errors.rows[index] = Some(format!(
                    "Pick what “{}” should be, from the list beside it.",
                    field.label()
                ));
                continue;
            };
            if !operator.fits(field.kind()) {
                errors.rows[index] =
                    Some(ConditionError::OperatorDoesNotFit(field.label()).to_string());
                continue;
            }
            rows.push(RowDraft {
                index,
                field,
                operator,
                value: row.value.clone(),
                until: row.until.clone(),
            });
        }
        let mut chosen = Vec::new();
        for slug in self.columns.iter().map(|slug| slug.trim()) {
            match columns::choosable().find(|field| field.slug() == slug) {
                _ if slug.is_empty() => {}
                Some(field) if chosen.contains(&field) => {
                    errors.columns = Some(format!("Show “{}” in one column only.", field.label()));
                }
                Some(field) => chosen.push(field),
                None => errors.columns = Some("Pick each column from the list.".to_owned()),
            }
        }
        if errors.any() {
            return Err(Box::new(errors));
        }
        Ok(ViewDraft {
            columns: chosen,
            name,
            shared,
            match_any,
            sort,
            descending,
            rows,
        })
    }
}

/// A view's columns in the form's slots, the rest empty.
fn column_slots(shown: &[Field]) -> Vec<String> {
    let mut slots: Vec<String> = shown.iter().map(|field| field.slug().to_owned()).collect();
    slots.resize(MAX_COLUMNS, String::new());
    slots
}

fn row_of(condition: &Condition, names: &Names) -> RowForm {
    RowForm {
        field: condition.field().slug().to_owned(),
        operator: condition.operator().slug().to_owned(),
        value: shown_value(condition, names),
        until: condition.value_text().1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn rows_come_from_numbered_fields_and_blank_ones_are_skipped() {
        let (form, intent) = ViewForm::from_pairs(pairs(&[
            ("name", "Recent"),
            ("match", "any"),
            ("field_0", "created"),
            ("operator_0", "in_the_last"),
            ("value_0", "30"),
            ("field_2", "name"),
            ("operator_2", "contains"),
            ("value_2", "ann"),
        ]));
        assert_eq!(intent, Intent::Save);
        assert_eq!(form.rows.len(), 3);
        let draft = form.parse().expect("valid");
        assert!(draft.match_any);
        assert_eq!(draft.rows.len(), 2);
        assert_eq!(draft.rows[1].index, 2);
    }

    #[test]
    fn a_row_with_an_operator_its_field_cannot_take_says_so_beside_it() {
        let (form, _) = ViewForm::from_pairs(pairs(&[
            ("name", "Odd"),
            ("field_0", "created"),
            ("operator_0", "contains"),
            ("value_0", "x"),
            ("value_1", "orphan"),
        ]));
        let errors = form.parse().expect_err("invalid");
        assert!(errors
            .row(&0)
            .is_some_and(|error| error.contains("Created")));
        assert_eq!(errors.row(&1), Some("Pick a field from the list."));
    }

    #[test]
    fn add_and_remove_change_only_the_rows() {
        let (mut form, intent) = ViewForm::from_pairs(pairs(&[
            ("name", "Kept"),
            ("field_0", "name"),
            ("operator_0", "contains"),
            ("value_0", "ann"),
            ("add", "1"),
        ]));
        assert_eq!(intent, Intent::AddRow);
        form.apply(intent);
        assert_eq!(form.rows.len(), 2);
        form.apply(Intent::RemoveRow(0));
        assert_eq!(form.rows.len(), EMPTY_ROWS);
        assert_eq!(form.name, "Kept");
    }
}
