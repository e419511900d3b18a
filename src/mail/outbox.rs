use std::fs;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use lettre::Message;

use super::{Delivery, MailError};

/// Writes each message as an .eml file that any mail client opens.
pub struct Outbox {
    folder: PathBuf,
    from: Mailbox,
}

impl Outbox {
    pub fn new(folder: PathBuf, from: Mailbox) -> std::io::Result<Outbox> {
        fs::create_dir_all(&folder)?;
        Ok(Outbox { folder, from })
    }

    pub fn from_address(&self) -> &Mailbox {
        &self.from
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    pub fn write(&self, message: &Message, message_id: String) -> Result<Delivery, MailError> {
        let stem: String = message_id
            .trim_matches(|c| c == '<' || c == '>')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let file_name = format!(
            "{}-{stem}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        );
        let path = self.folder.join(file_name);
        let partial = path.with_extension("eml.partial");
        let write =
            fs::write(&partial, message.formatted()).and_then(|_| fs::rename(&partial, &path));
        write.map_err(|error| MailError::Transient {
            code: None,
            message: format!(
                "could not write to the outbox folder {}: {error}",
                self.folder.display()
            ),
        })?;
        Ok(Delivery {
            message_id,
            receipt: format!("written to {}", path.display()),
            outbox_file: Some(path),
        })
    }
}
