//! Invitation emails written by an admin: text with `{{placeholder}}` slots for five known
//! values. A template is parsed when it is saved, so a mistake is refused beside its field
//! instead of surfacing when an email goes out.

use std::fmt;

/// The values an invitation template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    ContactName,
    AgentName,
    Link,
    ExpiresAt,
    CompanyName,
}

impl Placeholder {
    pub const ALL: [Placeholder; 5] = [
        Placeholder::ContactName,
        Placeholder::AgentName,
        Placeholder::Link,
        Placeholder::ExpiresAt,
        Placeholder::CompanyName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::ContactName => "contact_name",
            Placeholder::AgentName => "agent_name",
            Placeholder::Link => "link",
            Placeholder::ExpiresAt => "expires_at",
            Placeholder::CompanyName => "company_name",
        }
    }

    /// How it is written in a template: `{{link}}`.
    pub fn token(self) -> String {
        format!("{{{{{}}}}}", self.name())
    }

    fn parse(name: &str) -> Option<Placeholder> {
        Placeholder::ALL
            .into_iter()
            .find(|placeholder| placeholder.name() == name)
    }
}

/// What one email fills the placeholders with.
#[derive(Debug, Clone, Copy)]
pub struct PlaceholderValues<'a> {
    pub contact_name: &'a str,
    pub agent_name: &'a str,
    pub link: &'a str,
    pub expires_at: &'a str,
    pub company_name: &'a str,
}

impl PlaceholderValues<'_> {
    fn get(&self, placeholder: Placeholder) -> &str {
        match placeholder {
            Placeholder::ContactName => self.contact_name,
            Placeholder::AgentName => self.agent_name,
            Placeholder::Link => self.link,
            Placeholder::ExpiresAt => self.expires_at,
            Placeholder::CompanyName => self.company_name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Value(Placeholder),
}

/// A parsed template: literal text and placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTemplate {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Empty,
    TooLong { max_chars: usize },
    LineBreak,
    UnknownPlaceholder { name: String, line: usize },
    Unclosed { line: usize },
    UnexpectedClose { line: usize },
    MissingLink,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Empty => write!(f, "This cannot be empty."),
            TemplateError::TooLong { max_chars } => {
                write!(f, "Use at most {max_chars} characters.")
            }
            TemplateError::LineBreak => write!(f, "The subject must be a single line."),
            TemplateError::UnknownPlaceholder { name, line } => {
                let known: Vec<String> = Placeholder::ALL.iter().map(|p| p.token()).collect();
                write!(
                    f,
                    "Line {line}: {{{{{name}}}}} is not a placeholder Portico knows. Use {}.",
                    known.join(", ")
                )
            }
            TemplateError::Unclosed { line } => write!(
                f,
                "Line {line}: “{{{{” opens a placeholder that is never closed with “}}}}”."
            ),
            TemplateError::UnexpectedClose { line } => write!(
                f,
                "Line {line}: “}}}}” closes a placeholder that was never opened with “{{{{”."
            ),
            TemplateError::MissingLink => write!(
                f,
                "Include {{{{link}}}}: without it the customer has no way to activate their account."
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

/// The longest subject and body an admin may save.
pub const SUBJECT_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 50_000;

impl MailTemplate {
    pub fn parse(source: &str) -> Result<MailTemplate, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = source;
        let line_at = |rest: &str, offset: usize| {
            let consumed = source.len() - rest.len() + offset;
            source[..consumed].matches('\n').count() + 1
        };
        loop {
            let open = rest.find("{{");
            let close = rest.find("}}");
            if let Some(close) = close.filter(|close| open.is_none_or(|open| *close < open)) {
                return Err(TemplateError::UnexpectedClose {
                    line: line_at(rest, close),
                });
            }
            let Some(open) = open else {
                push_text(&mut segments, rest);
                break;
            };
            push_text(&mut segments, &rest[..open]);
            let inside = &rest[open + 2..];
            let end = inside.find("}}").ok_or(TemplateError::Unclosed {
                line: line_at(rest, open),
            })?;
            let name = &inside[..end];
            if name.contains("{{") {
                return Err(TemplateError::Unclosed {
                    line: line_at(rest, open),
                });
            }
            let name = name.trim();
            let placeholder =
                Placeholder::parse(name).ok_or_else(|| TemplateError::UnknownPlaceholder {
                    name: name.chars().take(40).collect(),
                    line: line_at(rest, open),
                })?;
            segments.push(Segment::Value(placeholder));
            rest = &inside[end + 2..];
        }
        Ok(MailTemplate { segments })
    }

    /// A subject: one line, not empty, not too long.
    pub fn parse_subject(source: &str) -> Result<MailTemplate, TemplateError> {
        let source = source.trim();
        if source.is_empty() {
            return Err(TemplateError::Empty);
        }
        if source.chars().count() > SUBJECT_MAX_CHARS {
            return Err(TemplateError::TooLong {
                max_chars: SUBJECT_MAX_CHARS,
            });
        }
        if source.contains(['\r', '\n']) {
            return Err(TemplateError::LineBreak);
        }
        MailTemplate::parse(source)
    }

    /// A body: not empty, not too long, and it must carry the activation link.
    pub fn parse_body(source: &str) -> Result<MailTemplate, TemplateError> {
        if source.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        if source.chars().count() > BODY_MAX_CHARS {
            return Err(TemplateError::TooLong {
                max_chars: BODY_MAX_CHARS,
            });
        }
        let template = MailTemplate::parse(source)?;
        if !template.uses(Placeholder::Link) {
            return Err(TemplateError::MissingLink);
        }
        Ok(template)
    }

    pub fn uses(&self, placeholder: Placeholder) -> bool {
        self.segments.contains(&Segment::Value(placeholder))
    }

    /// Fills the placeholders as they are, for plain text.
    pub fn render_text(&self, values: &PlaceholderValues) -> String {
        self.render(values, |value, out| out.push_str(value))
    }

    /// Fills the placeholders HTML-escaped: a contact named `<b>` stays text in the HTML body.
    pub fn render_html(&self, values: &PlaceholderValues) -> String {
        self.render(values, escape_html_into)
    }

    fn render(&self, values: &PlaceholderValues, write: impl Fn(&str, &mut String)) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Value(placeholder) => write(values.get(*placeholder), &mut out),
            }
        }
        out
    }
}

fn push_text(segments: &mut Vec<Segment>, text: &str) {
    if !text.is_empty() {
        segments.push(Segment::Text(text.to_owned()));
    }
}

fn escape_html_into(value: &str, out: &mut String) {
    for character in value.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
}

/// Which field of the template form is wrong, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateFieldErrors {
    pub subject: Option<String>,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
}

/// An admin's subject, text body and HTML body, each parsed; every field's error at once.
pub fn parse_all(
    subject: &str,
    text_body: &str,
    html_body: &str,
) -> Result<[MailTemplate; 3], TemplateFieldErrors> {
    let subject = MailTemplate::parse_subject(subject);
    let text_body = MailTemplate::parse_body(text_body);
    let html_body = MailTemplate::parse_body(html_body);
    match (subject, text_body, html_body) {
        (Ok(subject), Ok(text_body), Ok(html_body)) => Ok([subject, text_body, html_body]),
        (subject, text_body, html_body) => Err(TemplateFieldErrors {
            subject: subject.err().map(|error| error.to_string()),
            text_body: text_body.err().map(|error| error.to_string()),
            html_body: html_body.err().map(|error| error.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: PlaceholderValues<'static> = PlaceholderValues {
        contact_name: "Ada <Lovelace> & \"Co\"",
        agent_name: "Sam",
        link: "https://help.example/portal/invitations/abc",
        expires_at: "2026-12-01 10:00",
        company_name: "Acme",
    };

    #[test]
    fn placeholders_are_filled_with_or_without_spaces_inside_the_braces() {
        let template = MailTemplate::parse("Hi {{contact_name}}, {{ agent_name }} at {{company_name}}: {{link}} until {{expires_at}}").unwrap();
        assert_eq!(
            template.render_text(&VALUES),
            "Hi Ada <Lovelace> & \"Co\", Sam at Acme: https://help.example/portal/invitations/abc until 2026-12-01 10:00"
        );
    }

    #[test]
    fn html_rendering_escapes_values_but_not_the_template() {
        let template = MailTemplate::parse("<p>Hello {{contact_name}}</p>").unwrap();
        assert_eq!(
            template.render_html(&VALUES),
            "<p>Hello Ada &lt;Lovelace&gt; &amp; &quot;Co&quot;</p>"
        );
    }

    #[test]
    fn unknown_placeholders_and_unbalanced_braces_are_refused_with_their_line() {
        assert_eq!(
            MailTemplate::parse("a\n{{ first_name }}"),
            Err(TemplateError::UnknownPlaceholder {
                name: "first_name".to_owned(),
                line: 2
            })
        );
        assert_eq!(
            MailTemplate::parse("{{link"),
            Err(TemplateError::Unclosed { line: 1 })
        );
        assert_eq!(
            MailTemplate::parse("x\ny\nlink}}"),
            Err(TemplateError::UnexpectedClose { line: 3 })
        );
        assert_eq!(
            MailTemplate::parse("{{ {{link}}"),
            Err(TemplateError::Unclosed { line: 1 })
        );
        assert!(MailTemplate::parse("css { color: red; } and { single }").is_ok());
    }

    #[test]
    fn bodies_need_the_link_and_subjects_one_line() {
        assert_eq!(
            MailTemplate::parse_body("Hello {{contact_name}}"),
            Err(TemplateError::MissingLink)
        );
        assert_eq!(MailTemplate::parse_body("  "), Err(TemplateError::Empty));
        assert_eq!(
            MailTemplate::parse_subject("a\nb"),
            Err(TemplateError::LineBreak)
        );
        assert!(MailTemplate::parse_subject("Welcome to {{company_name}}").is_ok());
    }

    #[test]
    fn every_field_error_is_reported_at_once() {
        let errors = parse_all("", "no link", "{{oops}} {{link}}").unwrap_err();
        assert!(errors.subject.is_some());
        assert!(errors.text_body.unwrap().contains("{{link}}"));
        assert!(errors.html_body.unwrap().contains("{{oops}}"));
    }
}
