DROP TABLE email_previews;
