//! Text people type for names and subjects, cleaned the one way everywhere.

/// Bidirectional overrides and isolates: kept in a name, they reverse how the text around it
/// reads (U+202E before "gnp.exe" shows "exe.png"), in lists, emails and the audit log.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line: bidi controls removed, runs of whitespace (line breaks included) made one space,
/// and none at either end.
pub fn one_line(typed: &str) -> String {
    typed
        .split(|c: char| c.is_whitespace())
        .map(|word| {
            word.chars()
                .filter(|c| !is_bidi_control(*c))
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A message's paragraphs (separated by blank lines), each a list of its lines, for pages and
/// emails to lay out without trusting the text as markup.
pub fn paragraphs(message: &str) -> Vec<Vec<String>> {
    message
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| paragraph.lines().map(str::to_owned).collect())
        .collect()
}

/// A CSV cell a spreadsheet would run as a formula gets a leading apostrophe. A number such as
/// a phone's "+44 20 7946 0958" is left alone: without letters or signs other than + - ( ) .
/// there is no function to call.
pub fn spreadsheet_safe(cell: &str) -> String {
    let starts_like_a_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let only_a_number = cell
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
    if starts_like_a_formula && !only_a_number {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{one_line, spreadsheet_safe};

    #[test]
    fn formulas_are_defused_and_numbers_are_not() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("=1+1"), "'=1+1");
        assert_eq!(
            spreadsheet_safe("-2+3+cmd|' /C calc'!A0"),
            "'-2+3+cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("+44 20 7946 0958"), "+44 20 7946 0958");
        assert_eq!(spreadsheet_safe("Ada Lovelace"), "Ada Lovelace");
    }

    #[test]
    fn whitespace_collapses_and_bidi_controls_go() {
        assert_eq!(one_line("  Ada \n\t Lovelace "), "Ada Lovelace");
        assert_eq!(one_line("Invoice\u{202E}fdp.exe"), "Invoicefdp.exe");
        assert_eq!(one_line("\u{2066}\u{2069}"), "");
        assert_eq!(one_line("Émilie Ångström"), "Émilie Ångström");
    }
}
