//! The rejected rows of an import as CSV: the file's own columns, then `line` and `reason`, so
//! an agent can fix them in a spreadsheet and import the result (the two extra columns are
//! ignored then).

use super::checks::CheckedFile;
use crate::domain::spreadsheet_safe;

/// The rejected rows, read back for display.
#[derive(Debug, Clone, Default)]
pub struct RejectedTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows beyond the display limit, left out of `rows`.
    pub not_shown: usize,
}

pub fn write(file: &CheckedFile) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let taken = |name: &str| {
        file.headers
            .iter()
            .any(|header| header.eq_ignore_ascii_case(name))
    };
    let line_header = if taken("line") {
        "rejected line"
    } else {
        "line"
    };
    let reason_header = if taken("reason") {
        "rejection reason"
    } else {
        "reason"
    };
    writer.write_record(
        file.headers
            .iter()
            .map(String::as_str)
            .chain([line_header, reason_header]),
    )?;
    for checked in file.rejected() {
        let line = checked.row.line.to_string();
        let reason = checked.reason_summary();
        writer.write_record(
            checked
                .row
                .cells
                .iter()
                .map(String::as_str)
                .chain([line.as_str(), reason.as_str()]),
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))?;
    // Every cell came from a `String`, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The stored rejected rows as the agent downloads them: every cell a spreadsheet would run
/// as a formula defused, as in the contacts export.
pub fn for_download(csv_text: &str) -> Result<String, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for record in reader.records() {
        writer.write_record(record?.iter().map(spreadsheet_safe))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Up to `limit` rows of a stored rejected-rows CSV. The text was written by `write`, so a
/// row that does not read back is skipped rather than failing the page.
pub fn read(csv_text: &str, limit: usize) -> RejectedTable {
    if csv_text.is_empty() {
        return RejectedTable::default();
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map(|record| record.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut table = RejectedTable {
        headers,
        ..RejectedTable::default()
    };
    for record in reader.records().flatten() {
        if table.rows.len() < limit {
            table.rows.push(record.iter().map(str::to_owned).collect());
        } else {
            table.not_shown += 1;
        }
    }
    table
}
