use diesel::prelude::*;
use portico::db::now;
use portico::db::schema::{
    audit_events, contacts, invitations, invite_batch_rows, invite_batches, portal_accounts,
};
use portico::tickets::NewTicket;

use crate::helpers::{location, TestApp};
use crate::on_both_backends;

fn sidebar_count(html: &str, label: &str) -> String {
    let marker = format!(">{label} <span class=\"count\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no view {label}"))
        + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

/// The "Merge…" links of the duplicates page, in order, unescaped.
fn merge_links(html: &str) -> Vec<String> {
    html.split("href=\"/contacts/merge?")
        .skip(1)
        .map(|rest| {
            format!("/contacts/merge?{}", &rest[..rest.find('"').unwrap()])
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .collect()
}

fn add_ticket(app: &TestApp, contact_id: i64, subject: &str) {
    let mut conn = app.pool.get().unwrap();
    NewTicket {
        contact_id,
        subject,
        status: "open",
        created_at: now(),
        updated_at: now(),
    }
    .insert(&mut conn)
    .unwrap();
}

fn add_portal_account(app: &TestApp, contact_id: i64, activated: bool) -> i64 {
    let mut conn = app.pool.get().unwrap();
    diesel::insert_into(portal_accounts::table)
        .values((
            portal_accounts::contact_id.eq(contact_id),
            portal_accounts::password_hash.eq("not-a-real-hash"),
            portal_accounts::activated_at.eq(activated.then(now)),
            portal_accounts::created_at.eq(now()),
            portal_accounts::updated_at.eq(now()),
        ))
        .returning(portal_accounts::id)
        .get_result(&mut conn)
        .unwrap()
}

fn add_invitation(app: &TestApp, contact_id: i64, state: &str) -> i64 {
    let mut conn = app.pool.get().unwrap();
    diesel::insert_into(invitations::table)
        .values((
            invitations::contact_id.eq(contact_id),
            invitations::token_digest.eq(format!("digest-{contact_id}-{state}")),
            invitations::state.eq(state),
            invitations::created_at.eq(now()),
            invitations::expires_at.eq(now() + chrono::Duration::days(7)),
        ))
        .returning(invitations::id)
        .get_result(&mut conn)
        .unwrap()
}

fn add_batch_row(app: &TestApp, contact_id: i64) -> i64 {
    let mut conn = app.pool.get().unwrap();
    let batch: i64 = diesel::insert_into(invite_batches::table)
        .values((
            invite_batches::submission_key.eq(format!("key-{contact_id}")),
            invite_batches::created_at.eq(now()),
        ))
        .returning(invite_batches::id)
        .get_result(&mut conn)
        .unwrap();
    diesel::insert_into(invite_batch_rows::table)
        .values((
            invite_batch_rows::batch_id.eq(batch),
            invite_batch_rows::contact_id.eq(contact_id),
            invite_batch_rows::outcome.eq("invited"),
        ))
        .returning(invite_batch_rows::id)
        .get_result(&mut conn)
        .unwrap()
}

fn set_status(app: &TestApp, contact_id: i64, status: &str) {
    let mut conn = app.pool.get().unwrap();
    diesel::update(contacts::table.find(contact_id))
        .set(contacts::help_center_status.eq(status))
        .execute(&mut conn)
        .unwrap();
}

fn merge_fields(
    ids: &[i64],
    primary: i64,
    name_from: i64,
    email_from: i64,
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = ids
        .iter()
        .map(|id| ("ids".to_owned(), id.to_string()))
        .collect();
    for (field, id) in [
        ("primary", primary),
        ("name_from", name_from),
        ("email_from", email_from),
        ("phone_from", primary),
        ("account_from", primary),
    ] {
        fields.push((field.to_owned(), id.to_string()));
    }
    fields
}

async fn post_merge(
    app: &TestApp,
    token_from: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    app.post_form("/contacts/merge", token_from, &fields).await
}

on_both_backends! {
    async fn merging_keeps_the_chosen_values_and_gathers_tickets_invitations_and_the_help_center_account(app) {
        app.sign_in_agent(false).await;
        let primary = app.add_contact("Jo Ann", Some("jo.ann@gmail.com"), None);
        add_ticket(&app, primary, "Printer on fire");
        add_ticket(&app, primary, "Refund please");
        let secondary = app.add_contact("Joann Baker", Some("joann+work@gmail.com"), Some("+1 555 0100"));
        let portal = add_portal_account(&app, secondary, true);
        let invitation = add_invitation(&app, secondary, "accepted");
        let batch_row = add_batch_row(&app, secondary);
        set_status(&app, secondary, "activated");
        app.add_contact("Unique Person", Some("unique@example.com"), None);
        assert_eq!(sidebar_count(&app.get_html("/contacts?view=duplicates").await, "Possible duplicates"), "2");

        let form_path = format!("/contacts/merge?ids={primary}&ids={secondary}");
        let form = app.get(&form_path).await;
        assert_eq!(form.status().as_u16(), 200);
        let form = form.text().await.unwrap();
        assert!(form.contains("Merge 2 contacts"));
        assert!(form.contains(&format!("name=\"primary\" value=\"{secondary}\" checked")), "the activated contact is proposed as the one to keep");
        assert!(form.contains(&format!("name=\"email_from\" value=\"{secondary}\" checked")), "fields default to the proposed contact's values");

        let merged = post_merge(&app, &form_path, &merge_fields(&[primary, secondary], primary, secondary, secondary)).await;
        assert_eq!(merged.status().as_u16(), 303);
        assert_eq!(location(&merged), format!("/contacts/{primary}"));
        let page = app.get_html(&format!("/contacts/{primary}")).await;
        assert!(page.contains("Merged 2 contacts into Joann Baker."));
        assert!(page.contains("<h1>Joann Baker</h1>"), "the chosen name");
        assert!(page.contains("joann+work@gmail.com"), "the chosen email, taken from the other contact");
        assert!(!page.contains("jo.ann@gmail.com"));
        assert!(page.contains("Printer on fire") && page.contains("Refund please"));
        assert!(page.contains("Activated"), "the best Help Center status of the group");

        let mut conn = app.pool.get().unwrap();
        let portal_owner: i64 = portal_accounts::table.find(portal).select(portal_accounts::contact_id).first(&mut conn).unwrap();
        assert_eq!(portal_owner, primary);
        let invitation_owner: i64 = invitations::table.find(invitation).select(invitations::contact_id).first(&mut conn).unwrap();
        assert_eq!(invitation_owner, primary);
        let batch_row_owner: i64 = invite_batch_rows::table.find(batch_row).select(invite_batch_rows::contact_id).first(&mut conn).unwrap();
        assert_eq!(batch_row_owner, primary);
        let merged_details: Vec<String> = audit_events::table
            .filter(audit_events::action.eq("contact.merged"))
            .filter(audit_events::subject_id.eq(primary))
            .select(audit_events::details)
            .load(&mut conn)
            .unwrap();
        assert_eq!(merged_details.len(), 1);
        assert!(merged_details[0].contains(&format!("#{secondary}")), "{merged_details:?}");
        let merged_into: Vec<String> = audit_events::table
            .filter(audit_events::action.eq("contact.merged_into"))
            .filter(audit_events::subject_id.eq(secondary))
            .select(audit_events::details)
            .load(&mut conn)
            .unwrap();
        assert!(merged_into.len() == 1 && merged_into[0].contains(&format!("#{primary}")), "{merged_into:?}");
        drop(conn);

        let deleted = app.get_html("/contacts?view=deleted").await;
        assert!(deleted.contains(&format!("href=\"/contacts/{secondary}\"")), "the other contact is in Recently deleted");
        assert_eq!(sidebar_count(&deleted, "Recently deleted"), "1");
        assert_eq!(sidebar_count(&deleted, "Possible duplicates"), "0");
        assert_eq!(sidebar_count(&deleted, "All contacts"), "2");
        assert!(app.get_html(&format!("/contacts/{secondary}")).await.contains("No tickets."), "its tickets moved");
    }

    async fn the_primary_keeps_one_live_invitation_and_the_activated_help_center_account(app) {
        app.sign_in_agent(false).await;
        let primary = app.add_contact("Sam Smith", Some("sam@example.com"), Some("+1 555 0100"));
        let secondary = app.add_contact("Sam Smith", Some("sam.smith@example.com"), Some("+1 555 0100"));
        let primary_invitation = add_invitation(&app, primary, "sent");
        let secondary_invitation = add_invitation(&app, secondary, "pending");
        let primary_portal = add_portal_account(&app, primary, false);
        let secondary_portal = add_portal_account(&app, secondary, true);
        set_status(&app, primary, "invited");
        set_status(&app, secondary, "activated");

        let form_path = format!("/contacts/merge?ids={secondary}&ids={primary}");
        let merged = post_merge(&app, &form_path, &merge_fields(&[secondary, primary], primary, primary, primary)).await;
        assert_eq!(merged.status().as_u16(), 303);

        let mut conn = app.pool.get().unwrap();
        let invitation_rows: Vec<(i64, i64, String, bool)> = invitations::table
            .order(invitations::id)
            .select((invitations::id, invitations::contact_id, invitations::state, invitations::revoked_at.is_not_null()))
            .load(&mut conn)
            .unwrap();
        assert_eq!(invitation_rows, [
            (primary_invitation, primary, "sent".to_owned(), false),
            (secondary_invitation, primary, "revoked".to_owned(), true),
        ]);
        let portal_rows: Vec<(i64, i64)> = portal_accounts::table.select((portal_accounts::id, portal_accounts::contact_id)).load(&mut conn).unwrap();
        assert_eq!(portal_rows, [(secondary_portal, primary)], "the activated account is kept, the unused one ({primary_portal}) removed");
        drop(conn);
        let page = app.get_html(&format!("/contacts/{primary}")).await;
        assert!(page.contains("sam@example.com") && page.contains("Activated"));
    }

    async fn a_merged_contact_points_to_the_one_it_went_into_and_cannot_be_restored(app) {
        app.sign_in_agent(false).await;
        let kept = app.add_contact("Sam Smith", Some("sam@example.com"), Some("+1 555 0100"));
        let merged = app.add_contact("Sam Smith", Some("sam.smith@example.com"), Some("+1 555 0100"));
        let form_path = format!("/contacts/merge?ids={merged}&ids={kept}");
        assert_eq!(post_merge(&app, &form_path, &merge_fields(&[merged, kept], kept, kept, kept)).await.status().as_u16(), 303);

        let page = app.get_html(&format!("/contacts/{merged}")).await;
        assert!(page.contains(&format!("This contact was merged into <a href=\"/contacts/{kept}\">Sam Smith</a> on ")), "{page}");
        assert!(!page.contains(&format!("action=\"/contacts/{merged}/restore\"")), "no Restore button");
        let restore = app.post_form(&format!("/contacts/{merged}/restore"), &format!("/contacts/{merged}"), &[]).await;
        assert_eq!(restore.status().as_u16(), 303);
        assert!(app.get_html(&format!("/contacts/{merged}")).await.contains(&format!("This contact cannot be restored: it was merged into contact #{kept}")));
        let mass = app.post_form("/contacts/mass-action", "/contacts?view=deleted", &[("action", "restore"), ("ids", merged.to_string().as_str()), ("view", "deleted")]).await;
        assert_eq!(mass.status().as_u16(), 303);
        let deleted = app.get_html("/contacts?view=deleted").await;
        assert_eq!(sidebar_count(&deleted, "Recently deleted"), "1", "still merged away");
        assert_eq!(sidebar_count(&deleted, "All contacts"), "1");

        // Merged again, into a third contact: the first merged one now points there.
        let newest = app.add_contact("Samuel Smith", Some("samuel@example.com"), Some("+1 555 0100"));
        let form_path = format!("/contacts/merge?ids={kept}&ids={newest}");
        assert_eq!(post_merge(&app, &form_path, &merge_fields(&[kept, newest], newest, newest, newest)).await.status().as_u16(), 303);
        let page = app.get_html(&format!("/contacts/{merged}")).await;
        assert!(page.contains(&format!("This contact was merged into <a href=\"/contacts/{newest}\">Samuel Smith</a>")), "{page}");
        let page = app.get_html(&format!("/contacts/{kept}")).await;
        assert!(page.contains(&format!("This contact was merged into <a href=\"/contacts/{newest}\">Samuel Smith</a>")));

        // A contact deleted, not merged, is restored as before.
        let deleted_only = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        assert_eq!(app.post_form(&format!("/contacts/{deleted_only}/delete"), &format!("/contacts/{deleted_only}"), &[]).await.status().as_u16(), 303);
        let page = app.get_html(&format!("/contacts/{deleted_only}")).await;
        assert!(page.contains("This contact was deleted on") && page.contains(&format!("action=\"/contacts/{deleted_only}/restore\"")));
    }

    async fn a_merge_with_a_deleted_or_unknown_contact_is_refused_and_changes_nothing(app) {
        app.sign_in_agent(false).await;
        let first = app.add_contact("Jo Ann", Some("jo.ann@gmail.com"), None);
        let second = app.add_contact("Joann B", Some("joann+work@gmail.com"), None);
        add_ticket(&app, second, "Still mine");
        let gone = app.add_contact("Jo Gone", Some("jo.gone@example.com"), None);
        {
            let mut conn = app.pool.get().unwrap();
            portico::contacts::delete(&mut conn, &[gone], portico::audit::Actor::System).unwrap();
        }
        let token_page = format!("/contacts/merge?ids={first}&ids={second}");

        let with_deleted = post_merge(&app, &token_page, &merge_fields(&[first, second, gone], first, first, second)).await;
        assert_eq!(with_deleted.status().as_u16(), 400);
        assert!(with_deleted.text().await.unwrap().contains("Jo Gone (#"), "names the deleted contact");
        let form_with_deleted = app.get(&format!("/contacts/merge?ids={first}&ids={gone}")).await;
        assert_eq!(form_with_deleted.status().as_u16(), 400);

        let unknown = post_merge(&app, &token_page, &merge_fields(&[first, 999_999], first, first, first)).await;
        assert_eq!(unknown.status().as_u16(), 404);
        let alone = post_merge(&app, &token_page, &merge_fields(&[first, first], first, first, first)).await;
        assert_eq!(alone.status().as_u16(), 400);
        assert!(alone.text().await.unwrap().contains("at least two different contacts"));
        let outside = post_merge(&app, &token_page, &merge_fields(&[first, second], gone, first, first)).await;
        assert_eq!(outside.status().as_u16(), 400);

        let list = app.get_html("/contacts?view=duplicates").await;
        assert_eq!(sidebar_count(&list, "Possible duplicates"), "2");
        assert_eq!(sidebar_count(&list, "Recently deleted"), "1");
        let second_page = app.get_html(&format!("/contacts/{second}")).await;
        assert!(second_page.contains("Still mine") && second_page.contains("joann+work@gmail.com"));
        assert!(app.get_html(&format!("/contacts/{first}")).await.contains("jo.ann@gmail.com"));
    }

    async fn the_duplicates_page_shows_each_group_with_its_reason(app) {
        app.sign_in_agent(false).await;
        let jo = app.add_contact("Jo Ann", Some("jo.ann@gmail.com"), None);
        let joann = app.add_contact("Joann B", Some("joann+work@gmail.com"), None);
        let sam = app.add_contact("Sam Smith", None, Some("+1 555 0100"));
        let sam_again = app.add_contact("Sam Smith", Some("sam@example.com"), Some("+1 555 0100"));
        let sam_work = app.add_contact("S. Smith", Some("sam+work@example.com"), None);
        app.add_contact("Unique Person", Some("unique@example.com"), None);
        add_ticket(&app, joann, "Where is my order");

        let list = app.get_html("/contacts?view=duplicates").await;
        assert!(list.contains("href=\"/contacts/duplicates\">Review and merge groups</a>"));
        let html = app.get_html("/contacts/duplicates").await;
        assert_eq!(merge_links(&html), [
            format!("/contacts/merge?ids={jo}&ids={joann}"),
            format!("/contacts/merge?ids={sam}&ids={sam_again}&ids={sam_work}"),
        ], "a chain of matches is one group");
        let (jo_group, sam_group) = html.split_at(html.find(&format!("ids={sam}")).unwrap());
        assert!(jo_group.contains("Same address once +tags are ignored"));
        assert!(!jo_group.contains("Same name and phone"));
        assert!(sam_group.contains("Same name and phone") && sam_group.contains("Same address once +tags are ignored"));
        assert!(jo_group.contains("joann+work@gmail.com") && jo_group.contains("<td class=\"num\">1</td>"), "contacts side by side with their tickets");
        assert!(!html.contains("Unique Person"));
        assert_eq!(app.get("/contacts/duplicates?after=oops").await.status().as_u16(), 400);
    }

    async fn the_duplicates_page_pages_through_groups_without_repeats(app) {
        app.sign_in_agent(false).await;
        for number in 0..23 {
            app.add_contact(&format!("Person {number:02}"), Some(&format!("person{number:02}@example.com")), None);
            app.add_contact(&format!("Person {number:02} B"), Some(&format!("person{number:02}+b@example.com")), None);
        }
        let first = app.get_html("/contacts/duplicates").await;
        assert_eq!(merge_links(&first).len(), 20);
        let next_start = first.find("rel=\"next\"").map(|end| first[..end].rfind("href=\"").unwrap() + 6).expect("a next page");
        let next = &first[next_start..next_start + first[next_start..].find('"').unwrap()];
        let second = app.get_html(&next.replace("&#38;", "&")).await;
        assert_eq!(merge_links(&second).len(), 3);
        assert!(second.contains("Person 22 B") && !second.contains("Person 19"));
        assert!(!second.contains("rel=\"next\""));
        let mut all = merge_links(&first);
        all.extend(merge_links(&second));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 23);
    }

    async fn the_merge_pages_are_for_signed_in_agents(app) {
        assert_eq!(app.get("/contacts/duplicates").await.status().as_u16(), 303);
        assert_eq!(app.get("/contacts/merge?ids=1&ids=2").await.status().as_u16(), 303);
    }
}
