//! An article as typed into the form, and the checked draft it must become before it is saved.

use serde::Deserialize;

pub const TITLE_MAX_CHARS: usize = 200;
pub const SLUG_MAX_CHARS: usize = 100;
pub const CATEGORY_MAX_CHARS: usize = 100;
pub const BODY_MAX_BYTES: usize = 200 * 1024;

#[derive(Debug, Default, Deserialize)]
pub struct ArticleForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub body: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub published: Option<String>,
}

impl ArticleForm {
    pub fn is_published(&self) -> bool {
        self.published.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    pub title: String,
    pub slug: String,
    pub category: String,
    pub body: String,
    pub published: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArticleFieldErrors {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub category: Option<String>,
    pub body: Option<String>,
}

impl ArticleFieldErrors {
    fn is_empty(&self) -> bool {
        *self == ArticleFieldErrors::default()
    }
}

/// Lowercase letters and digits joined by single hyphens: "Reset your 2FA!" → "reset-your-2fa".
/// Letters outside ASCII are kept (lowercased) so titles in any script still make an address.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut pending_hyphen = false;
    for character in text.chars() {
        if character.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(character.to_lowercase());
        } else {
            pending_hyphen = true;
        }
        if slug.chars().count() >= SLUG_MAX_CHARS {
            break;
        }
    }
    slug
}

fn required_text(
    value: &str,
    max_chars: usize,
    missing: &str,
    what: &str,
) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        Err(missing.to_owned())
    } else if value.chars().count() > max_chars {
        Err(format!(
            "{what} can be at most {max_chars} characters; this one has {}.",
            value.chars().count()
        ))
    } else {
        Ok(value.to_owned())
    }
}

fn parse_slug(typed: &str, title: Option<&str>) -> Result<String, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        let Some(title) = title else {
            // The title's own error says what to fix; once it is fixed, the slug follows.
            return Ok(String::new());
        };
        let derived = slugify(title);
        if derived.is_empty() {
            return Err(
                "The title has no letters or digits to make an address from: enter a slug."
                    .to_owned(),
            );
        }
        return Ok(derived);
    }
    if typed.chars().count() > SLUG_MAX_CHARS {
        return Err(format!(
            "A slug can be at most {SLUG_MAX_CHARS} characters."
        ));
    }
    let slug = slugify(typed);
    if slug.is_empty() {
        return Err("Use letters, digits and hyphens, like reset-your-password.".to_owned());
    }
    Ok(slug)
}

fn parse_body(body: &str) -> Result<String, String> {
    // Browsers send a textarea's line breaks as CRLF; Markdown reads LF the same way.
    let body = body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        Err("Write the article's text.".to_owned())
    } else if body.len() > BODY_MAX_BYTES {
        Err(format!(
            "The text is {} KiB; an article can be at most {} KiB.",
            body.len().div_ceil(1024),
            BODY_MAX_BYTES / 1024
        ))
    } else {
        Ok(body.trim_end().to_owned())
    }
}

impl ArticleDraft {
    pub fn parse(form: &ArticleForm) -> Result<ArticleDraft, ArticleFieldErrors> {
        let title = required_text(&form.title, TITLE_MAX_CHARS, "Enter a title.", "A title");
        let slug = parse_slug(&form.slug, title.as_deref().ok());
        let category = required_text(
            &form.category,
            CATEGORY_MAX_CHARS,
            "Enter a category, or pick one from the list.",
            "A category",
        );
        let body = parse_body(&form.body);
        let errors = ArticleFieldErrors {
            title: title.as_ref().err().cloned(),
            slug: slug.as_ref().err().cloned(),
            category: category.as_ref().err().cloned(),
            body: body.as_ref().err().cloned(),
        };
        match (title, slug, category, body) {
            (Ok(title), Ok(slug), Ok(category), Ok(body)) if errors.is_empty() => {
                Ok(ArticleDraft {
                    title,
                    slug,
                    category,
                    body,
                    published: form.is_published(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(title: &str, slug: &str, category: &str, body: &str) -> ArticleForm {
        ArticleForm {
            title: title.to_owned(),
            slug: slug.to_owned(),
            category: category.to_owned(),
            body: body.to_owned(),
            published: None,
        }
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_hyphens() {
        assert_eq!(slugify("  Reset your 2FA -- now!  "), "reset-your-2fa-now");
        assert_eq!(slugify("Über Straße"), "über-straße");
        assert_eq!(slugify("?!"), "");
        assert_eq!(slugify(&"a".repeat(300)).len(), SLUG_MAX_CHARS);
    }

    #[test]
    fn an_empty_slug_is_derived_from_the_title_and_a_typed_one_is_tidied() {
        let draft = ArticleDraft::parse(&form("Billing & Invoices", "", "Billing", "Hi")).unwrap();
        assert_eq!(draft.slug, "billing-invoices");
        let typed =
            ArticleDraft::parse(&form("Billing", "My Custom Slug", "Billing", "Hi")).unwrap();
        assert_eq!(typed.slug, "my-custom-slug");
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let errors = ArticleDraft::parse(&form(" ", "!!!", &"c".repeat(101), "\r\n")).unwrap_err();
        assert!(errors.title.is_some());
        assert!(errors.slug.is_some());
        assert!(errors.category.is_some());
        assert!(errors.body.is_some());
        let too_long = ArticleDraft::parse(&form("T", "", "C", &"x".repeat(BODY_MAX_BYTES + 1)));
        assert!(too_long
            .unwrap_err()
            .body
            .unwrap()
            .contains("at most 200 KiB"));
    }
}
