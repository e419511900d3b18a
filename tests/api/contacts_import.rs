use diesel::prelude::*;
use portico::audit::Actor;
use portico::db::schema::{contacts, import_uploads};

use crate::helpers::{csrf_token_in, location, new_client, TestApp, AGENT_PASSWORD};
use crate::on_both_backends;

const MIXED_CSV: &str = "\
name,email,phone,account,notes
Ada Lovelace,ada@example.com,+44 20 7946 0000,acme,first
Bad Mail,not-an-email,,,
,nameless@example.com,,,
Taken Again,TAKEN@example.com,,,
Grace Hopper,grace@example.com,,,
Grace Twin,grace@example.com,,,
Nobody Corp,nobody@example.com,,Globex,
Bad Phone,phone@example.com,call me,,
Alan Turing,,,,
";

fn count_rows(app: &TestApp) -> (i64, i64) {
    let mut conn = app.pool.get().unwrap();
    let contacts = contacts::table.count().get_result(&mut conn).unwrap();
    let uploads = import_uploads::table.count().get_result(&mut conn).unwrap();
    (contacts, uploads)
}

async fn upload_with(
    client: &reqwest::Client,
    app: &TestApp,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let page = client
        .get(app.url("/contacts/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&page);
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf_token", &token)
        .finish();
    client
        .post(app.url(&format!("/contacts/import?{query}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn upload(app: &TestApp, file_name: &str, bytes: impl Into<Vec<u8>>) -> reqwest::Response {
    upload_with(&app.client, app, file_name, bytes.into()).await
}

/// Uploads a file that can be read and returns its preview's path.
pub(crate) async fn upload_for_preview(app: &TestApp, csv: &str) -> String {
    let response = upload(app, "contacts.csv", csv).await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "the upload is kept and previewed"
    );
    location(&response)
}

/// The text of the row for this line in the table with this id.
fn row_for_line(html: &str, table_id: &str, line: u64) -> String {
    let start = html
        .find(&format!("id=\"{table_id}\""))
        .unwrap_or_else(|| panic!("no table {table_id}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table
        .split("<tr>")
        .find(|row| {
            row.trim_start()
                .starts_with(&format!("<td class=\"num\">{line}</td>"))
        })
        .unwrap_or_else(|| panic!("no row for line {line} in {table_id}"))
        .to_owned()
}

fn names_in(html: &str) -> Vec<String> {
    html.split("<td class=\"name\"><a href=\"/contacts/")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest[start..].find('<')? + start;
            Some(rest[start..end].to_owned())
        })
        .collect()
}

fn all_contacts_count(html: &str) -> String {
    let marker = ">All contacts <span class=\"count\">";
    let start = html.find(marker).expect("the All contacts view") + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn href_of(html: &str, label: &str) -> String {
    let end = html
        .find(&format!("\">{label}</a>"))
        .unwrap_or_else(|| panic!("no link {label}"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    html[start..end].replace("&#38;", "&").replace("&amp;", "&")
}

on_both_backends! {
    async fn the_rejected_rows_download_defuses_formulas(app) {
        app.sign_in_agent(false).await;
        let preview_path = upload_for_preview(&app, "name,email,phone\n=1+1,not-an-email,+44 20 7946 0958\nAda,ada@example.com,\n").await;
        let confirmed = app.post_form(&format!("{preview_path}/confirm"), &preview_path, &[]).await;
        let import_id: i64 = location(&confirmed).strip_prefix("/contacts/imports/").unwrap().parse().unwrap();
        let result = app.get_html(&format!("/contacts/imports/{import_id}")).await;
        assert!(result.contains(">=1+1<"), "the page shows the cell as typed: {result}");
        let download = app.get(&format!("/contacts/imports/{import_id}/rejected.csv")).await;
        let (_, rows) = parse_csv(&download.text().await.unwrap());
        assert_eq!(rows[0][..3], ["'=1+1".to_owned(), "not-an-email".to_owned(), "+44 20 7946 0958".to_owned()]);
    }

    async fn the_preview_gives_every_rejected_row_its_line_and_reason(app) {
        app.sign_in_agent(false).await;
        app.add_account("Acme");
        let existing = app.add_contact("Existing Person", Some("taken@example.com"), None);
        let preview_path = upload_for_preview(&app, MIXED_CSV).await;
        let response = app.get(&preview_path).await;
        assert_eq!(response.status().as_u16(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("3 valid"), "{html}");
        assert!(html.contains("6 rejected"));
        assert!(html.contains("Ignored columns: “notes”"));
        assert!(html.contains("Import 3 contacts"));
        let reason = |line| row_for_line(&html, "rejected-rows", line);
        assert!(reason(3).contains("“not-an-email” is not a valid email address."));
        assert!(reason(4).contains("Missing name."));
        assert!(reason(5).contains("Duplicate of an existing contact with the email taken@example.com."));
        assert!(reason(5).contains(&format!("href=\"/contacts/{existing}\"")), "links to the existing contact");
        assert!(reason(7).contains("Duplicate of line 6"));
        assert!(reason(8).contains("There is no account called “Globex”."));
        assert!(reason(9).contains("“call me” is not a valid phone number"));
        for valid_line in [2, 6, 10] {
            assert!(row_for_line(&html, "sample-rows", valid_line).contains("Ready"), "line {valid_line}");
        }
        assert!(row_for_line(&html, "sample-rows", 4).contains("Rejected"));
        assert_eq!(count_rows(&app), (1, 1), "nothing is imported before the agent confirms");
    }

    async fn confirming_imports_exactly_the_valid_rows_and_keeps_the_rejected_ones(app) {
        app.sign_in_agent(false).await;
        app.add_account("Acme");
        app.add_contact("Existing Person", Some("taken@example.com"), None);
        assert_eq!(all_contacts_count(&app.get_html("/contacts").await), "1");
        let preview_path = upload_for_preview(&app, MIXED_CSV).await;
        let confirm_path = format!("{preview_path}/confirm");
        let confirmed = app.post_form(&confirm_path, &preview_path, &[]).await;
        assert_eq!(confirmed.status().as_u16(), 303);
        let result_path = location(&confirmed);
        let import_id: i64 = result_path.strip_prefix("/contacts/imports/").unwrap().parse().unwrap();

        let result = app.get_html(&result_path).await;
        assert!(result.contains("Imported 3 contacts · Rejected 6 rows"), "{result}");
        for reason in ["Missing name.", "“not-an-email” is not a valid email address.", "Duplicate of an existing contact", "Duplicate of line 6", "There is no account called “Globex”.", "is not a valid phone number"] {
            assert!(result.contains(reason), "the result lists {reason}");
        }
        assert_eq!(href_of(&result, "View the imported contacts"), format!("/contacts?import={import_id}"));
        assert_eq!(href_of(&result, "Download rejected rows (CSV)"), format!("/contacts/imports/{import_id}/rejected.csv"));

        let imported = app.get_html(&format!("/contacts?import={import_id}")).await;
        assert_eq!(names_in(&imported), ["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
        assert!(imported.contains("<h2>Imported from contacts.csv</h2>"), "titled by its file, not “All contacts”");
        assert!(imported.contains(">Acme</a>"), "the account is matched ignoring case");
        assert!(imported.contains("value=\"invite\""), "the mass-action bar offers the invitation");
        assert_eq!(all_contacts_count(&app.get_html("/contacts").await), "4");

        let download = app.get(&format!("/contacts/imports/{import_id}/rejected.csv")).await;
        assert_eq!(download.status().as_u16(), 200);
        assert_eq!(download.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let (headers, rows) = parse_csv(&download.text().await.unwrap());
        assert_eq!(headers, ["name", "email", "phone", "account", "notes", "line", "reason"]);
        let lines: Vec<&str> = rows.iter().map(|row| row[5].as_str()).collect();
        assert_eq!(lines, ["3", "4", "5", "7", "8", "9"]);
        assert_eq!(rows[0][..2], ["Bad Mail".to_owned(), "not-an-email".to_owned()], "the original cells are kept");
        assert_eq!(rows[1][6], "Missing name.");
        assert!(rows[3][6].contains("Duplicate of line 6"));
        assert!(rows[4][6].contains("Globex"));

        let again = app.post_form(&confirm_path, "/contacts", &[]).await;
        assert_eq!(again.status().as_u16(), 404, "an upload is imported once");
        assert_eq!(count_rows(&app), (4, 0));
    }

    async fn confirming_checks_the_rows_again(app) {
        app.sign_in_agent(false).await;
        let preview_path = upload_for_preview(&app, "First Name,Last_Name,Email\nAda,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\n").await;
        assert!(app.get_html(&preview_path).await.contains("2 valid"));
        app.add_contact("Ada Meanwhile", Some("ada@example.com"), None);
        let confirmed = app.post_form(&format!("{preview_path}/confirm"), &preview_path, &[]).await;
        let result = app.get_html(&location(&confirmed)).await;
        assert!(result.contains("Imported 1 contact · Rejected 1 row"), "{result}");
        assert!(result.contains("Duplicate of an existing contact with the email ada@example.com."));
        assert_eq!(names_in(&app.get_html("/contacts").await), ["Ada Meanwhile", "Grace Hopper"]);
    }

    async fn imported_contacts_that_match_existing_ones_are_flagged_as_possible_duplicates(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        app.add_contact("Grace Hopper", Some("grace@example.com"), Some("+1 555 0101"));
        app.add_contact("Alan Turing", Some("alan@example.com"), None);
        let csv = "name,email,phone\nAda L.,ada+work@example.com,\nGrace Hopper,grace@navy.example,+1 555 0101\nKatherine Johnson,kj@example.com,\n";
        let preview_path = upload_for_preview(&app, csv).await;
        let confirmed = app.post_form(&format!("{preview_path}/confirm"), &preview_path, &[]).await;
        assert_eq!(confirmed.status().as_u16(), 303);
        let duplicates = app.get_html("/contacts?view=duplicates").await;
        assert_eq!(names_in(&duplicates), ["Ada L.", "Ada Lovelace", "Grace Hopper", "Grace Hopper"]);
    }

    async fn files_that_cannot_be_imported_are_refused_with_the_reason(app) {
        app.sign_in_agent(false).await;
        let refused = [
            (b"name,email\nJos\xe9,jose@example.com\n".to_vec(), 422, "not UTF-8"),
            (b"email,phone\nada@example.com,123\n".to_vec(), 422, "no name column"),
            (b"Ada Lovelace,ada@example.com\n".to_vec(), 422, "must be a header row"),
            (Vec::new(), 422, "The file is empty."),
            (format!("name\n{}", "Someone\n".repeat(50_001)).into_bytes(), 422, "more than 50,000 contacts"),
            (format!("name\n{}", "x".repeat(10 * 1024 * 1024)).into_bytes(), 413, "larger than 10 MiB"),
        ];
        for (bytes, status, message) in refused {
            let response = upload(&app, "contacts.csv", bytes).await;
            assert_eq!(response.status().as_u16(), status, "{message}");
            let html = response.text().await.unwrap();
            assert!(html.contains(message), "the upload page says {message}");
            assert!(html.contains("enctype=\"multipart/form-data\""), "the form is shown again");
        }
        assert_eq!(count_rows(&app), (0, 0), "nothing is imported or kept");
    }

    async fn only_the_uploading_agent_sees_and_confirms_an_upload(app) {
        app.sign_in_agent(false).await;
        let preview_path = upload_for_preview(&app, "name\nAda Lovelace\n").await;
        app.create_agent("other@portico.test", "Olga Other", false);
        let other = new_client();
        let token = csrf_token_in(&other.get(app.url("/login")).send().await.unwrap().text().await.unwrap());
        let signed_in = other.post(app.url("/login"))
            .form(&[("csrf_token", token.as_str()), ("email", "other@portico.test"), ("password", AGENT_PASSWORD)])
            .send().await.unwrap();
        assert_eq!(signed_in.status().as_u16(), 303);
        assert_eq!(other.get(app.url(&preview_path)).send().await.unwrap().status().as_u16(), 404);
        let token = csrf_token_in(&other.get(app.url("/contacts")).send().await.unwrap().text().await.unwrap());
        let stolen = other.post(app.url(&format!("{preview_path}/confirm")))
            .form(&[("csrf_token", token.as_str())])
            .send().await.unwrap();
        assert_eq!(stolen.status().as_u16(), 404);
        assert_eq!(count_rows(&app), (0, 1));
        let mine = app.post_form(&format!("{preview_path}/confirm"), &preview_path, &[]).await;
        assert_eq!(mine.status().as_u16(), 303, "the owner still can");
    }

    async fn import_and_export_pages_need_a_signed_in_agent(app) {
        for path in ["/contacts/import", "/contacts/export", "/contacts/imports/1", "/contacts/imports/1/rejected.csv"] {
            let response = app.get(path).await;
            assert_eq!(response.status().as_u16(), 303, "{path}");
            assert!(location(&response).starts_with("/login?next="), "{path}");
        }
    }

    async fn export_returns_the_view_as_csv(app) {
        app.sign_in_agent(false).await;
        let acme = app.add_account("Acme");
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), Some("+44 20 7946 0000"));
        app.add_contact("Zoe Zimmer", Some("zoe@example.com"), None);
        let spam = app.add_contact("Spammy McSpam", Some("spam@example.com"), None);
        {
            let mut conn = app.pool.get().unwrap();
            portico::contacts::move_to_account(&mut conn, &[ada], Some(acme), Actor::System).unwrap();
            portico::contacts::set_spam(&mut conn, &[spam], true, Actor::System).unwrap();
        }
        let response = app.get("/contacts/export?sort=name&dir=desc").await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment") && disposition.contains(".csv"), "{disposition}");
        let (headers, rows) = parse_csv(&response.text().await.unwrap());
        assert_eq!(headers, ["name", "email", "phone", "account", "help_center_status", "created_at"]);
        assert_eq!(rows.len(), 2, "spam is not in All contacts");
        assert_eq!(rows[0][0], "Zoe Zimmer");
        assert_eq!(rows[1][..5], ["Ada Lovelace", "ada@example.com", "+44 20 7946 0000", "Acme", "not-invited"].map(String::from));

        let (_, spam_rows) = parse_csv(&app.get("/contacts/export?view=spam").await.text().await.unwrap());
        assert_eq!(spam_rows.len(), 1);
        assert_eq!(spam_rows[0][0], "Spammy McSpam");

        let list = app.get_html("/contacts?view=spam&q=mcspam").await;
        assert_eq!(href_of(&list, "Export CSV"), "/contacts/export?view=spam&q=mcspam", "the link keeps the view and search");
        assert_eq!(app.get("/contacts/export?view=nonsense").await.status().as_u16(), 400);
    }

    async fn export_walks_a_large_view_page_by_page(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(2_345);
        let file = app.get("/contacts/export").await.text().await.unwrap();
        assert!(file.starts_with("\u{feff}name,"), "a byte-order mark first, so Excel reads UTF-8");
        assert_eq!(file.matches('\u{feff}').count(), 1, "and only there, not before each page");
        let (_, rows) = parse_csv(&file);
        let names: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
        let expected: Vec<String> = (0..2_345).map(|n| format!("Contact {n:04}")).collect();
        assert_eq!(names, expected, "every contact once, in order, across export pages");
    }
}
