//! Reading an uploaded CSV file: its header, which columns hold what, and its rows.

pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 50_000;

/// Why a file cannot be imported at all (as opposed to a row being rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty. Upload a CSV file with a header row and one contact a line.")]
    Empty,
    #[error("The file has a header row but no contacts below it.")]
    NoRows,
    #[error("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload that file.")]
    NotUtf8,
    #[error(
        "The file is larger than 10 MiB. Split it into smaller files and import them one by one."
    )]
    TooLarge,
    #[error("The file has more than 50,000 contacts. Split it into files of at most 50,000 rows and import them one by one.")]
    TooManyRows,
    #[error("The first line must be a header row naming the columns (name, email, phone, account), but it looks like a contact: {first_line}.")]
    NoHeader { first_line: String },
    #[error("The header row has no name column. Name one column “name”, or two “first name” and “last name”. The header has: {found}.")]
    NoNameColumn { found: String },
    #[error("Line {line} could not be read as CSV: {detail}")]
    Malformed { line: u64, detail: String },
}

/// What a recognised column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Account,
}

/// Headers match ignoring case, spaces, underscores and hyphens: "First_Name" is "first name".
fn field_of(header: &str) -> Option<Field> {
    let key = header
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match key.as_str() {
        "name" | "full name" => Some(Field::Name),
        "first name" | "firstname" => Some(Field::FirstName),
        "last name" | "lastname" => Some(Field::LastName),
        "email" | "e mail" | "email address" => Some(Field::Email),
        "phone" | "phone number" => Some(Field::Phone),
        "account" | "account name" => Some(Field::Account),
        _ => None,
    }
}

#[derive(Debug, Clone, Default)]
struct Columns {
    name: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    account: Option<usize>,
}

impl Columns {
    fn slot(&mut self, field: Field) -> &mut Option<usize> {
        match field {
            Field::Name => &mut self.name,
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::Email => &mut self.email,
            Field::Phone => &mut self.phone,
            Field::Account => &mut self.account,
        }
    }

    fn has_name(&self) -> bool {
        self.name.is_some() || self.first_name.is_some() || self.last_name.is_some()
    }
}

/// One contact line of the file: its cells as written, and the values of the known columns.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// The line the row starts on, counting the header as line 1.
    pub line: u64,
    /// One cell per header column, so the row can be written back out unchanged.
    pub cells: Vec<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub account: String,
}

#[derive(Debug, Clone)]
pub struct CsvFile {
    pub headers: Vec<String>,
    /// Columns nobody reads: unknown headers, and repeats of a known one.
    pub ignored_columns: Vec<String>,
    pub rows: Vec<CsvRow>,
}

/// The file's text, if it is UTF-8 within the size limit (a leading byte-order mark is dropped).
pub fn decode(bytes: &[u8]) -> Result<&str, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    // A NUL is valid UTF-8 but never in a text CSV: it means UTF-16 or a binary file.
    if text.contains('\0') {
        return Err(FileError::NotUtf8);
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

pub fn read(text: &str) -> Result<CsvFile, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter_of(text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(record) => record
            .map_err(malformed)?
            .iter()
            .map(|cell| cell.trim().to_owned())
            .collect(),
        None => return Err(FileError::Empty),
    };
    let (columns, ignored_columns) = map_columns(&headers)?;
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(malformed)?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let cells: Vec<String> = (0..headers.len())
            .map(|index| record.get(index).unwrap_or("").to_owned())
            .collect();
        let cell = |column: Option<usize>| {
            column
                .and_then(|index| cells.get(index))
                .map(|value| value.trim().to_owned())
                .unwrap_or_default()
        };
        let name = match cell(columns.name) {
            name if !name.is_empty() => name,
            _ => format!("{} {}", cell(columns.first_name), cell(columns.last_name))
                .trim()
                .to_owned(),
        };
        rows.push(CsvRow {
            line: record.position().map_or(0, |position| position.line()),
            name,
            email: cell(columns.email),
            phone: cell(columns.phone),
            account: cell(columns.account),
            cells,
        });
    }
    if rows.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(CsvFile {
        headers,
        ignored_columns,
        rows,
    })
}

/// Spreadsheets in many locales save CSV with semicolons; a header without commas says so.
fn delimiter_of(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    }
}

fn map_columns(headers: &[String]) -> Result<(Columns, Vec<String>), FileError> {
    let mut columns = Columns::default();
    let mut ignored = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        match field_of(header).map(|field| columns.slot(field)) {
            Some(slot @ None) => *slot = Some(index),
            _ if header.is_empty() => ignored.push(format!("(column {} has no header)", index + 1)),
            _ => ignored.push(header.clone()),
        }
    }
    if columns.has_name() {
        return Ok((columns, ignored));
    }
    let quoted = headers
        .iter()
        .map(|header| format!("“{header}”"))
        .collect::<Vec<_>>()
        .join(", ");
    // No known column at all, and an address or a number where a header should be: the
    // file starts with a contact.
    let looks_like_data = headers.iter().all(|header| field_of(header).is_none())
        && headers.iter().any(|header| {
            header.contains('@')
                || (!header.is_empty()
                    && header
                        .chars()
                        .all(|c| c.is_ascii_digit() || " +-()".contains(c)))
        });
    if looks_like_data {
        Err(FileError::NoHeader { first_line: quoted })
    } else {
        Err(FileError::NoNameColumn { found: quoted })
    }
}

fn malformed(error: csv::Error) -> FileError {
    let line = error.position().map_or(0, |position| position.line());
    FileError::Malformed {
        line,
        detail: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_whatever_their_case_and_order() {
        let file =
            read("Email,First_Name,LAST NAME,Notes\nada@example.com,Ada,Lovelace,hi\n").unwrap();
        assert_eq!(file.ignored_columns, ["Notes"]);
        let row = &file.rows[0];
        assert_eq!(
            (row.line, row.name.as_str(), row.email.as_str()),
            (2, "Ada Lovelace", "ada@example.com")
        );
        assert_eq!(row.cells, ["ada@example.com", "Ada", "Lovelace", "hi"]);
    }

    #[test]
    fn line_numbers_count_quoted_line_breaks_and_skip_blank_rows() {
        let file = read("name,notes\n\"Ada\",\"two\nlines\"\n,\nGrace,\n").unwrap();
        let lines: Vec<u64> = file.rows.iter().map(|row| row.line).collect();
        assert_eq!(lines, [2, 5]);
    }

    #[test]
    fn semicolon_files_and_short_rows_are_read() {
        let file = read("\u{feff}name;email;phone\nAda;ada@example.com\n").unwrap();
        assert_eq!(file.rows[0].email, "ada@example.com");
        assert_eq!(file.rows[0].phone, "");
        assert_eq!(file.rows[0].cells.len(), 3);
    }

    #[test]
    fn files_that_cannot_be_imported_say_why() {
        assert_eq!(decode(b"name\n\xff\xfe").unwrap_err(), FileError::NotUtf8);
        assert_eq!(decode(b"n\0a\0m\0e\0").unwrap_err(), FileError::NotUtf8);
        assert_eq!(read(" \n").unwrap_err(), FileError::Empty);
        assert_eq!(read("name,email\n").unwrap_err(), FileError::NoRows);
        assert!(matches!(
            read("Ada,ada@example.com\n"),
            Err(FileError::NoHeader { .. })
        ));
        assert!(matches!(
            read("email,phone\na@example.com,1\n"),
            Err(FileError::NoNameColumn { .. })
        ));
        let too_many = format!("name\n{}", "x\n".repeat(MAX_ROWS + 1));
        assert_eq!(read(&too_many).unwrap_err(), FileError::TooManyRows);
        assert_eq!(
            read(&format!("name\n{}", "x\n".repeat(MAX_ROWS)))
                .unwrap()
                .rows
                .len(),
            MAX_ROWS
        );
    }
}
