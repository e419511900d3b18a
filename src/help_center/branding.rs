//! The Help Center's own look: its name, logo and accent colour on every Help Center page and
//! in the emails to customers, and the name emails to customers come from.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::settings::{Branding, HelpCenterSettings};
use crate::db::schema::help_center_logo;
use crate::db::DbConnection;

/// Larger images are refused: a logo is shown about 40 pixels high.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;
/// WCAG AA for normal text: white text on the accent colour must reach this contrast.
pub const MIN_CONTRAST: f64 = 4.5;
/// The accent Portico's own pages and emails use when an admin chose none.
pub const DEFAULT_ACCENT: &str = "#1d5fd1";

/// What the Help Center looks like, for its pages.
#[derive(Debug, Clone)]
pub struct Brand {
    /// "Acme Help Center": the admin's name, else the company's name and "Help Center".
    pub name: String,
    /// Names the logo in its URL; none when no logo was uploaded.
    pub logo_version: Option<String>,
    pub accent: Option<AccentColour>,
}

impl Brand {
    /// `company` is the name emails use (the admin's, else one from the sender address).
    pub fn of(settings: &HelpCenterSettings, company: &str) -> Brand {
        Brand {
            name: settings
                .branding
                .help_center_name
                .clone()
                .unwrap_or_else(|| format!("{company} Help Center")),
            logo_version: settings.branding.logo_version.clone(),
            accent: settings
                .branding
                .accent_colour
                .as_deref()
                .and_then(|hex| AccentColour::parse(hex).ok()),
        }
    }

    /// For pages made without the database (error pages).
    pub fn plain() -> Brand {
        Brand {
            name: "Help Center".to_owned(),
            logo_version: None,
            accent: None,
        }
    }

    /// The accent as `#rrggbb`, Portico's own when none was chosen.
    pub fn accent_hex(&self) -> &str {
        self.accent
            .as_ref()
            .map_or(DEFAULT_ACCENT, AccentColour::hex)
    }

    /// The logo's address below `base` (empty for a page's own links), if there is a logo.
    pub fn logo_url(&self, base: &str) -> Option<String> {
        self.logo_version
            .as_ref()
            .map(|version| format!("{base}/portal/logo?v={version}"))
    }
}

/// The accent emails use when an admin chose none (their buttons' long-standing blue).
pub const DEFAULT_MAIL_ACCENT: &str = "#1d4ed8";

/// How an email to a customer carries the brand: who it is from, the logo, the accent.
#[derive(Debug, Clone)]
pub struct MailBrand {
    /// The Help Center's name at the top of the HTML part; none on Portico's own emails.
    pub name: Option<String>,
    /// The display name of the sender; the address stays the configured one.
    pub sender_name: Option<String>,
    /// The logo's absolute address, for the HTML part.
    pub logo_url: Option<String>,
    /// `#rrggbb` for buttons.
    pub accent: String,
}

impl Default for MailBrand {
    fn default() -> MailBrand {
        MailBrand {
            name: None,
            sender_name: None,
            logo_url: None,
            accent: DEFAULT_MAIL_ACCENT.to_owned(),
        }
    }
}

impl MailBrand {
    /// `company` is the name emails use; `base_url` the configured one, without its trailing
    /// slash.
    pub fn of(branding: &Branding, company: &str, base_url: &str) -> MailBrand {
        MailBrand {
            name: Some(
                branding
                    .help_center_name
                    .clone()
                    .unwrap_or_else(|| format!("{company} Help Center")),
            ),
            sender_name: branding.sender_name.clone(),
            logo_url: branding
                .logo_version
                .as_ref()
                .map(|version| format!("{base_url}/portal/logo?v={version}")),
            accent: branding
                .accent_colour
                .as_deref()
                .and_then(|hex| AccentColour::parse(hex).ok())
                .map_or_else(|| DEFAULT_MAIL_ACCENT.to_owned(), |accent| accent.0),
        }
    }
}

/// A colour white text can be read on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccentColour(String);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColourError {
    #[error("Write the colour as a hex code such as #1d5fd1.")]
    NotAColour,
    #[error("White text on {hex} has a contrast of {ratio:.2}:1; choose a darker colour (at least 4.5:1, WCAG AA).")]
    TooLight { hex: String, ratio: f64 },
}

impl AccentColour {
    /// "#1D5FD1", "1d5fd1" or "#15d" → "#1d5fd1", refused below 4.5:1 against white text.
    pub fn parse(input: &str) -> Result<AccentColour, ColourError> {
        let digits = input.trim().trim_start_matches('#').to_ascii_lowercase();
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ColourError::NotAColour);
        }
        let hex = match digits.len() {
            6 => format!("#{digits}"),
            3 => format!(
                "#{}",
                digits.chars().flat_map(|c| [c, c]).collect::<String>()
            ),
            _ => return Err(ColourError::NotAColour),
        };
        let ratio = contrast_with_white(&hex);
        if ratio < MIN_CONTRAST {
            // Rounded down, so a refused colour never reads as reaching 4.5.
            let ratio = (ratio * 100.0).floor() / 100.0;
            return Err(ColourError::TooLight { hex, ratio });
        }
        Ok(AccentColour(hex))
    }

    pub fn hex(&self) -> &str {
        &self.0
    }

    /// A fifth darker, for hover and pressed states.
    pub fn darker(&self) -> String {
        let [r, g, b] = channels(&self.0);
        let dim = |c: u8| (f64::from(c) * 0.8).round() as u8;
        format!("#{:02x}{:02x}{:02x}", dim(r), dim(g), dim(b))
    }
}

fn channels(hex: &str) -> [u8; 3] {
    let at = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    [at(1), at(3), at(5)]
}

/// WCAG 2 contrast ratio of white against `#rrggbb`.
pub fn contrast_with_white(hex: &str) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = channels(hex);
    let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    1.05 / (luminance + 0.05)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = help_center_logo)]
pub struct Logo {
    pub content_type: String,
    pub image: Vec<u8>,
    pub version: String,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error(
        "This file is {kib} KiB; a logo can be at most 1 MiB. Save it smaller and upload it again."
    )]
    TooLarge { kib: usize },
    #[error("Upload a PNG or JPEG image. This file is neither (SVG is not accepted: it can carry script).")]
    NotAnImage,
}

impl Logo {
    /// A PNG or JPEG by its first bytes, whatever its name or declared type says.
    pub fn parse(image: Vec<u8>, uploaded_at: NaiveDateTime) -> Result<Logo, LogoError> {
        if image.len() > LOGO_MAX_BYTES {
            return Err(LogoError::TooLarge {
                kib: image.len().div_ceil(1024),
            });
        }
        let content_type = if image.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if image.starts_with(&[0xff, 0xd8, 0xff]) {
            "image/jpeg"
        } else {
            return Err(LogoError::NotAnImage);
        };
        let digest = Sha256::digest(&image);
        let version = digest[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Ok(Logo {
            content_type: content_type.to_owned(),
            image,
            version,
            uploaded_at,
        })
    }

    pub fn load(conn: &mut DbConnection) -> QueryResult<Option<Logo>> {
        help_center_logo::table
            .select(Logo::as_select())
            .first(conn)
            .optional()
    }

    /// Replaces the logo (`None` removes it); call inside the write transaction that saves the
    /// settings naming its version.
    pub fn replace(conn: &mut DbConnection, logo: Option<&Logo>) -> QueryResult<()> {
        diesel::delete(help_center_logo::table).execute(conn)?;
        if let Some(logo) = logo {
            diesel::insert_into(help_center_logo::table)
                .values((
                    help_center_logo::id.eq(1),
                    help_center_logo::content_type.eq(&logo.content_type),
                    help_center_logo::image.eq(&logo.image),
                    help_center_logo::version.eq(&logo.version),
                    help_center_logo::uploaded_at.eq(logo.uploaded_at),
                ))
                .execute(conn)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_refused_below_aa_contrast_with_white() {
        assert_eq!(AccentColour::parse(" #1D5FD1 ").unwrap().hex(), "#1d5fd1");
        assert_eq!(AccentColour::parse("000").unwrap().hex(), "#000000");
        assert!(matches!(
            AccentColour::parse("#ffcc00"),
            Err(ColourError::TooLight { .. })
        ));
        // #767676 is the lightest grey that passes on white: 4.54:1.
        assert!(AccentColour::parse("#767676").is_ok());
        assert!(AccentColour::parse("#777777").is_err());
        assert_eq!(AccentColour::parse("blue"), Err(ColourError::NotAColour));
        assert_eq!(AccentColour::parse("#12345"), Err(ColourError::NotAColour));
        let ratio = contrast_with_white("#ffffff");
        assert!((ratio - 1.0).abs() < 1e-9);
    }

    #[test]
    fn only_png_and_jpeg_logos_within_the_limit_are_taken() {
        let at = NaiveDateTime::default();
        assert_eq!(
            Logo::parse(b"\x89PNG\r\n\x1a\nrest".to_vec(), at)
                .unwrap()
                .content_type,
            "image/png"
        );
        assert_eq!(
            Logo::parse(vec![0xff, 0xd8, 0xff, 0xe0], at)
                .unwrap()
                .content_type,
            "image/jpeg"
        );
        assert_eq!(
            Logo::parse(b"<svg onload=alert(1)>".to_vec(), at).unwrap_err(),
            LogoError::NotAnImage
        );
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert!(matches!(
            Logo::parse(big, at),
            Err(LogoError::TooLarge { .. })
        ));
    }
}
