//! Text as a search compares it: lowercase, without accents, so "ANGSTROM" finds "Ångström".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lowercase with accents taken off: each character decomposed (canonically, "Å" into "A" and
/// a ring) and its combining marks dropped. Letters that are not an accented form of another
/// ("ø", "ß", "ł") stay themselves, as SQLite's trigram index keeps them.
pub fn folded(text: &str) -> String {
    text.nfd()
        .filter(|character| !is_combining_mark(*character))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded form a search stores beside a name: `None` for plain ASCII, whose folded form is
/// what the database's own `lower()` gives.
pub fn folded_unless_ascii(text: &str) -> Option<String> {
    (!text.is_ascii()).then(|| folded(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_go() {
        assert_eq!(folded("ÅNGSTRÖM"), "angstrom");
        assert_eq!(folded("Émilie Côté"), "emilie cote");
        assert_eq!(folded("Nguyễn"), "nguyen");
    }

    #[test]
    fn letters_of_their_own_stay() {
        assert_eq!(folded("Øster Straße"), "øster straße");
        assert_eq!(folded("Иван"), "иван");
    }

    #[test]
    fn ascii_names_store_nothing() {
        assert_eq!(folded_unless_ascii("Bella Novak"), None);
        assert_eq!(folded_unless_ascii("Zoë"), Some("zoe".to_owned()));
    }
}
