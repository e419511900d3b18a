//! The columns a custom view picks, shown in their order, and what a bulk job keeps of it.

use crate::custom_views::{create_view, post_view, view_fields};
use crate::on_both_backends;

on_both_backends! {
    async fn a_view_shows_the_columns_it_picks_in_their_order(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@acme.example"), None);
        crate::portal::open_ticket(&app, ada, "Engine", "It computes.");
        let mut picked = vec![("column_0", "created"), ("column_1", "open_tickets"), ("column_2", "email_domain")];
        let emptied: Vec<String> = (3..8).map(|index| format!("column_{index}")).collect();
        picked.extend(emptied.iter().map(|key| (key.as_str(), "")));
        let id = create_view(&app, "Busy", &[], &picked).await;
        let page = app.get_html(&format!("/contacts?view=custom-{id}")).await;
        let headers: Vec<&str> = page.split("<th scope=\"col\">").skip(1).map(|rest| {
            let text = rest[..rest.find("</th>").unwrap()].trim_end_matches("</a>");
            text.rsplit('>').next().unwrap_or(text)
        }).collect();
        assert_eq!(headers, ["Name", "Created", "Open tickets", "Email domain"], "{page}");
        assert!(page.contains("<td class=\"number\" data-label=\"Open tickets\">1</td>"));
        assert!(page.contains("data-label=\"Email domain\"><span class=\"clip\" title=\"acme.example\">acme.example</span>"));
        let edit = app.get_html(&format!("/contacts/views/{id}/edit")).await;
        assert!(edit.contains("<option value=\"open_tickets\" selected>Open tickets</option>"), "the columns show on the form as chosen");

        let twice = post_view(&app, &format!("/contacts/views/{id}"), &format!("/contacts/views/{id}/edit"), &view_fields("Busy", &[], &[("column_0", "created"), ("column_1", "created")])).await;
        assert_eq!(twice.status().as_u16(), 422);
        assert!(twice.text().await.unwrap().contains("Show “Created” in one column only."));
        let usual = app.get_html("/contacts").await;
        assert!(usual.contains("data-label=\"Phone\""), "other lists keep their usual columns");
    }

    async fn a_bulk_job_keeps_the_views_conditions_as_they_were_when_it_started(app) {
        use diesel::prelude::*;
        use portico::db::schema::bulk_invite_jobs;
        app.sign_in_agent(false).await;
        app.add_contact("Fresh Face", Some("fresh@example.com"), None);
        let id = create_view(&app, "New this week", &[("created", "in_the_last", "7")], &[]).await;
        let view = format!("custom-{id}");
        let job = crate::bulk_jobs::start_bulk_job(&app, &[("action", "invite"), ("view", &view)]).await;
        crate::bulk_jobs::wait_for_job(&app, &job, "Done").await;
        let kept: String = app.with_connection(|conn| bulk_invite_jobs::table.select(bulk_invite_jobs::criteria).first(conn).unwrap());
        let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
        let criteria = &kept["criteria"];
        assert_eq!(criteria["conditions"][0]["operator"], "in_the_last", "{kept}");
        assert!(criteria["pinned_at"].is_string(), "the days count back from the job's start: {kept}");
        // Changing the view afterwards does not change what the job worked.
        let changed = post_view(&app, &format!("/contacts/views/{id}"), &format!("/contacts/views/{id}/edit"), &view_fields("New this week", &[("created", "in_the_last", "1")], &[])).await;
        assert_eq!(changed.status().as_u16(), 303);
        let again: String = app.with_connection(|conn| bulk_invite_jobs::table.select(bulk_invite_jobs::criteria).first(conn).unwrap());
        assert!(again.contains("\"value\":\"7\""), "{again}");
        assert_eq!(app.smtp.messages().len(), 1, "the one contact was invited");
    }
}
