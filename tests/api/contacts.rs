use crate::helpers::{location, TestApp};
use crate::on_both_backends;

pub(crate) fn names_in(html: &str) -> Vec<String> {
    html.split("<td class=\"name\"><a href=\"/contacts/")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest[start..].find('<')? + start;
            Some(rest[start..end].to_owned())
        })
        .collect()
}

pub(crate) fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("\" rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

pub(crate) fn sidebar_count(html: &str, label: &str) -> String {
    let start = html
        .find(&format!(">{label} <span class=\"count\">"))
        .unwrap_or_else(|| panic!("no view {label}"))
        + label.len()
        + 22;
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

pub(crate) async fn list(app: &TestApp, query: &str) -> String {
    let response = app.get(&format!("/contacts{query}")).await;
    assert_eq!(response.status().as_u16(), 200, "/contacts{query}");
    response.text().await.unwrap()
}

on_both_backends! {
    async fn seeding_contacts_keeps_the_counts_search_and_indexes(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let schema_before = app.contact_schema_objects();
        let settings = app.command_line_settings();
        let seed = portico::config::Command::Seed { contacts: 300, accounts: None };
        tokio::task::spawn_blocking(move || portico::cli::run(seed, &settings).map_err(|error| error.to_string()))
            .await
            .unwrap()
            .expect("portico seed");
        assert_eq!(app.contact_schema_objects(), schema_before, "the seed sets indexes and triggers aside and puts every one back");
        let html = list(&app, "").await;
        assert_eq!(sidebar_count(&html, "All contacts"), "301");
        assert_eq!(sidebar_count(&html, "Not invited"), "301");
        assert!(html.contains("<p class=\"total\">1–50 of 301 contacts</p>"));
        let (name, email): (String, Option<String>) = {
            use diesel::prelude::*;
            use portico::db::schema::contacts;
            let mut conn = app.pool.get().unwrap();
            contacts::table
                .filter(contacts::email.ne("ada@example.com"))
                .order(contacts::id.desc())
                .select((contacts::name, contacts::email))
                .first(&mut conn)
                .unwrap()
        };
        let email = email.expect("seeded contacts have an email");
        let fragment = &email[3..email.find('@').unwrap()];
        assert_eq!(names_in(&list(&app, &format!("?q={fragment}")).await), [name], "a seeded contact is found by a fragment of its email");
        assert_eq!(names_in(&list(&app, "?q=lovelace").await), ["Ada Lovelace"], "and the contacts there before it too");
    }

    async fn the_list_shows_live_contacts_by_name_with_exact_counts(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Zoe Zimmer", Some("zoe@example.com"), None);
        app.add_contact("Ada Lovelace", Some("ada@example.com"), Some("+44 20 7946 0000"));
        app.add_contact("No Mail", None, None);
        let html = list(&app, "").await;
        assert_eq!(names_in(&html), ["Ada Lovelace", "No Mail", "Zoe Zimmer"]);
        assert!(html.contains("3 contacts"));
        assert_eq!(sidebar_count(&html, "All contacts"), "3");
        assert_eq!(sidebar_count(&html, "Not invited"), "3");
        assert_eq!(sidebar_count(&html, "Without email"), "1");
        assert_eq!(sidebar_count(&html, "Added in the last 30 days"), "3");
        assert!(html.contains("aria-label=\"Select Ada Lovelace\""));
        assert!(html.contains("aria-label=\"Select all on this page\""));
        let without = list(&app, "?view=without-email").await;
        assert_eq!(names_in(&without), ["No Mail"]);
    }

    async fn search_matches_substrings_of_name_email_and_phone(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Grace Hopper", Some("grace@navy.example"), Some("+1 555 0101"));
        app.add_contact("Alan Turing", Some("alan@bletchley.example"), Some("+44 555 0202"));
        app.add_contact("Katherine Johnson", Some("kj@nasa.example"), None);
        assert_eq!(names_in(&list(&app, "?q=HOPP").await), ["Grace Hopper"]);
        assert_eq!(names_in(&list(&app, "?q=bletchley").await), ["Alan Turing"]);
        assert_eq!(names_in(&list(&app, "?q=0202").await), ["Alan Turing"]);
        assert!(list(&app, "?q=EXAMPLE").await.contains("<p class=\"total\">3 contacts</p>"), "the search's count");
        assert_eq!(names_in(&list(&app, "?q=er").await), ["Grace Hopper", "Katherine Johnson"], "two letters work too");
        let none = list(&app, "?q=nobody-like-this").await;
        assert!(none.contains("No contacts here."));
        assert!(none.contains("0 contacts"));
        let odd = list(&app, "?q=%25_%27%22").await;
        assert!(odd.contains("0 contacts"), "LIKE wildcards and quotes are matched literally");
        app.add_contact("Promo 50% Off_Sale", None, None);
        assert_eq!(names_in(&list(&app, "?q=%25").await), ["Promo 50% Off_Sale"], "a percent sign finds itself, and only itself");
        assert_eq!(names_in(&list(&app, "?q=F_S").await), ["Promo 50% Off_Sale"], "an underscore too, through the trigram index");
        app.add_contact("Zeynep ÖZTÜRK", Some("zeynep@ornek.example"), None);
        assert_eq!(names_in(&list(&app, "?q=%C3%B6zt%C3%BCrk").await), ["Zeynep ÖZTÜRK"], "case is ignored beyond ASCII too (öztürk finds ÖZTÜRK)");
        assert_eq!(names_in(&list(&app, "?q=%C3%96zt%C3%BCrk").await), ["Zeynep ÖZTÜRK"], "whatever the case typed");
        assert_eq!(names_in(&list(&app, "?q=%C3%96Z").await), ["Zeynep ÖZTÜRK"], "two letters too, without the trigram index");
        assert_eq!(names_in(&list(&app, "?q=%C3%BC").await), ["Alan Turing", "Zeynep ÖZTÜRK"], "and one, accents ignored (ü finds Turing)");
    }

    async fn a_search_matching_over_a_thousand_contacts_still_pages_in_order(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(1_100);
        app.add_contact("Zed Outsider", Some("zed@elsewhere.example"), None);
        let first = list(&app, "?q=contact").await;
        assert!(first.contains("1,000+ contacts"), "broad searches are counted up to a cap");
        let all = list(&app, "").await;
        assert!(all.contains("<p class=\"total\">1–50 of 1,101 contacts</p>"), "a standard view's total is exact, above the cap too");
        assert!(all.contains("Apply to all 1,101 in this view"));
        let expected: Vec<String> = (0..50).map(|n| format!("Contact {n:04}")).collect();
        assert_eq!(names_in(&first), expected);
        let second = list(&app, &link(&first, "next").unwrap()["/contacts".len()..]).await;
        assert_eq!(names_in(&second)[0], "Contact 0050");
        let descending = list(&app, "?q=contact&sort=name&dir=desc").await;
        assert_eq!(names_in(&descending)[0], "Contact 1099");
    }

    async fn a_two_letter_search_no_index_serves_still_counts_sorts_and_pages(app) {
        app.sign_in_agent(false).await;
        for n in (0..60).rev() {
            app.add_contact(&format!("Qz Person {n:02}"), None, None);
        }
        app.add_contact("Somebody Else", Some("else@example.com"), None);
        let first = list(&app, "?q=QZ").await;
        assert!(first.contains("<p class=\"total\">1–50 of 60 contacts</p>"), "the count is exact");
        let expected: Vec<String> = (0..50).map(|n| format!("Qz Person {n:02}")).collect();
        assert_eq!(names_in(&first), expected, "the first 50 matches by name");
        let second = list(&app, &link(&first, "next").unwrap()["/contacts".len()..]).await;
        let rest: Vec<String> = (50..60).map(|n| format!("Qz Person {n:02}")).collect();
        assert_eq!(names_in(&second), rest, "and the other 10 on the next page");
        let back = list(&app, &link(&second, "prev").unwrap()["/contacts".len()..]).await;
        assert_eq!(names_in(&back), expected, "and back");
        let descending = list(&app, "?q=qz&sort=name&dir=desc").await;
        assert_eq!(names_in(&descending)[0], "Qz Person 59");
        assert!(list(&app, "?q=zq").await.contains("<p class=\"total\">0 contacts</p>"));
    }

    async fn sorting_by_each_column_and_direction(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Bea", Some("a@example.com"), None);
        app.add_contact("Abe", Some("c@example.com"), None);
        app.add_contact("Cid", None, None);
        assert_eq!(names_in(&list(&app, "?sort=name&dir=desc").await), ["Cid", "Bea", "Abe"]);
        assert_eq!(names_in(&list(&app, "?sort=email").await), ["Bea", "Abe", "Cid"], "no email sorts last");
        assert_eq!(names_in(&list(&app, "?sort=email&dir=desc").await), ["Abe", "Bea", "Cid"], "no email sorts last either way");
        assert_eq!(names_in(&list(&app, "?sort=created").await), ["Bea", "Abe", "Cid"]);
        assert_eq!(names_in(&list(&app, "?sort=created&dir=desc").await), ["Cid", "Abe", "Bea"]);
        assert_eq!(app.get("/contacts?sort=shoe_size").await.status().as_u16(), 400);
    }

    async fn keyset_pages_walk_forward_and_back_without_gaps(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(60);
        let first = list(&app, "?per_page=25").await;
        assert_eq!(names_in(&first).len(), 25);
        assert!(link(&first, "prev").is_none(), "no previous page on the first");
        let second = list(&app, &link(&first, "next").unwrap()["/contacts".len()..]).await;
        let third = list(&app, &link(&second, "next").unwrap()["/contacts".len()..]).await;
        let mut seen: Vec<String> = names_in(&first);
        seen.extend(names_in(&second));
        seen.extend(names_in(&third));
        let expected: Vec<String> = (0..60).map(|n| format!("Contact {n:04}")).collect();
        assert_eq!(seen, expected);
        assert!(link(&third, "next").is_none(), "the last page has no next");
        let where_we_are = |html: &str| html.split("<p class=\"total\">").nth(1).and_then(|rest| rest.split('<').next()).unwrap().to_owned();
        assert_eq!(where_we_are(&first), "1–25 of 60 contacts");
        assert_eq!(where_we_are(&second), "26–50 of 60 contacts");
        assert_eq!(where_we_are(&third), "51–60 of 60 contacts");
        let back = list(&app, &link(&third, "prev").unwrap()["/contacts".len()..]).await;
        assert_eq!(names_in(&back), names_in(&second));
        assert_eq!(where_we_are(&back), "26–50 of 60 contacts");
        let last = list(&app, "?per_page=25&before=end").await;
        assert_eq!(names_in(&last), expected[35..].to_vec());
        assert_eq!(where_we_are(&last), "36–60 of 60 contacts");
        assert_eq!(app.get("/contacts?after=garbage").await.status().as_u16(), 400);
        assert_eq!(app.get("/contacts?per_page=1000").await.status().as_u16(), 400);
    }

    async fn adding_a_contact_validates_beside_each_field(app) {
        app.sign_in_agent(false).await;
        let existing = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let bad = app.post_form("/contacts", "/contacts/new", &[("name", ""), ("email", "not-an-email"), ("phone", "call me"), ("account", "")]).await;
        assert_eq!(bad.status().as_u16(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("Enter the contact"), "the name's error is shown");
        assert!(html.contains("is not a valid email address"));
        assert!(html.contains("value=\"not-an-email\""), "typed values are kept");
        assert!(html.contains("value=\"call me\""));

        let duplicate = app.post_form("/contacts", "/contacts/new", &[("name", "Ada Again"), ("email", "ADA@example.com"), ("phone", ""), ("account", "")]).await;
        assert_eq!(duplicate.status().as_u16(), 409);
        assert!(duplicate.text().await.unwrap().contains(&format!("href=\"/contacts/{existing}\"")), "links to the existing contact");

        let added = app.post_form("/contacts", "/contacts/new", &[("name", " Grace  Hopper "), ("email", "Grace@Navy.example"), ("phone", "+1 555 0101"), ("account", "")]).await;
        assert_eq!(added.status().as_u16(), 303);
        let page = app.get_html(&location(&added)).await;
        assert!(page.contains("<h1>Grace Hopper</h1>"));
        assert!(page.contains("grace@navy.example"), "stored lowercase");
        assert!(page.contains("Contact added."));
    }

    async fn editing_keeps_the_address_unique_and_shows_the_change(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let grace = app.add_contact("Grace Hopper", Some("grace@example.com"), None);
        let form_page = format!("/contacts/{grace}/edit");
        assert!(app.get_html(&form_page).await.contains("value=\"grace@example.com\""));
        let clash = app.post_form(&format!("/contacts/{grace}"), &form_page, &[("name", "Grace Hopper"), ("email", "ada@example.com"), ("phone", ""), ("account", "")]).await;
        assert_eq!(clash.status().as_u16(), 409);
        let unknown_account = app.post_form(&format!("/contacts/{grace}"), &form_page, &[("name", "Grace Hopper"), ("email", "grace@example.com"), ("phone", ""), ("account", "Nowhere Inc")]).await;
        assert_eq!(unknown_account.status().as_u16(), 422);
        assert!(unknown_account.text().await.unwrap().contains("There is no account called"));
        let saved = app.post_form(&format!("/contacts/{grace}"), &form_page, &[("name", "Rear Admiral Hopper"), ("email", "grace@example.com"), ("phone", ""), ("account", "")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        let page = app.get_html(&format!("/contacts/{grace}")).await;
        assert!(page.contains("<h1>Rear Admiral Hopper</h1>"));
        assert!(page.contains("<td>Contact edited</td><td>Name: Grace Hopper → Rear Admiral Hopper</td>"), "the history says what changed: {page}");
        assert_eq!(names_in(&list(&app, "?q=admiral").await), ["Rear Admiral Hopper"], "the search finds the new name");
    }

    async fn spam_contacts_leave_all_contacts_and_come_back(app) {
        app.sign_in_agent(false).await;
        let spammer = app.add_contact("Buy Now", Some("spam@example.com"), None);
        app.add_contact("Real Person", Some("real@example.com"), None);
        let marked = app.post_form(&format!("/contacts/{spammer}/spam"), &format!("/contacts/{spammer}"), &[]).await;
        assert_eq!(marked.status().as_u16(), 303);
        let all = list(&app, "").await;
        assert_eq!(names_in(&all), ["Real Person"]);
        assert_eq!(sidebar_count(&all, "Spam"), "1");
        assert_eq!(sidebar_count(&all, "All contacts"), "1");
        assert_eq!(names_in(&list(&app, "?view=spam").await), ["Buy Now"]);
        let searched = list(&app, "?q=buy").await;
        assert!(names_in(&searched).is_empty(), "search stays within the view");
        assert!(searched.contains("<p class=\"total\">0 contacts</p>"), "and so does its count");
        assert!(list(&app, "?view=spam&q=buy").await.contains("<p class=\"total\">1 contact</p>"));
        app.post_form(&format!("/contacts/{spammer}/not-spam"), &format!("/contacts/{spammer}"), &[]).await;
        assert_eq!(sidebar_count(&list(&app, "").await, "All contacts"), "2");
    }

    async fn mass_actions_apply_to_selected_rows_or_the_whole_view(app) {
        app.sign_in_agent(false).await;
        let a = app.add_contact("Alpha", Some("alpha@example.com"), None);
        let b = app.add_contact("Bravo", Some("bravo@example.com"), None);
        app.add_contact("Charlie", Some("charlie@example.com"), None);
        let a_id = a.to_string();
        let b_id = b.to_string();
        let response = app.post_form("/contacts/mass-action", "/contacts", &[("action", "spam"), ("ids", a_id.as_str()), ("ids", b_id.as_str()), ("view", "all"), ("return_to", "/contacts")]).await;
        assert_eq!(response.status().as_u16(), 303);
        let html = list(&app, "").await;
        assert!(html.contains("Marked 2 contacts as spam."));
        assert_eq!(names_in(&html), ["Charlie"]);

        let nothing = app.post_form("/contacts/mass-action", "/contacts", &[("action", "delete"), ("view", "all")]).await;
        assert_eq!(nothing.status().as_u16(), 400);
        assert!(nothing.text().await.unwrap().contains("Select at least one contact"));

        let all_spam = crate::bulk_jobs::start_bulk_job(&app, &[("action", "delete"), ("view", "spam"), ("return_to", "/contacts?view=spam")]).await;
        crate::bulk_jobs::wait_for_job(&app, &all_spam, "Done").await;
        let deleted = list(&app, "?view=deleted").await;
        assert_eq!(names_in(&deleted), ["Alpha", "Bravo"]);
        assert_eq!(sidebar_count(&deleted, "Spam"), "0");
        assert_eq!(sidebar_count(&deleted, "Recently deleted"), "2");
        assert!(deleted.contains("<th scope=\"col\">Deleted</th>"), "{deleted}");
        let today = portico::db::now().format("%Y-%m-%d").to_string();
        assert_eq!(deleted.matches(&format!("data-label=\"Deleted\">{today} · 30 days left</td>")).count(), 2, "{deleted}");
        assert_eq!(sidebar_count(&deleted, "All contacts"), "1", "Charlie was not in the spam view");

        let restored = app.post_form("/contacts/mass-action", "/contacts?view=deleted", &[("action", "restore"), ("ids", a_id.as_str()), ("view", "deleted")]).await;
        assert_eq!(restored.status().as_u16(), 303);
        assert_eq!(names_in(&list(&app, "?view=spam").await), ["Alpha"], "restored as it was: still spam");
    }

    async fn deleting_from_the_detail_page_asks_first_and_can_be_undone(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let confirm = app.get_html(&format!("/contacts/{id}?confirm=delete")).await;
        assert!(confirm.contains("Delete Ada Lovelace?"));
        let deleted = app.post_form(&format!("/contacts/{id}/delete"), &format!("/contacts/{id}"), &[]).await;
        assert_eq!(deleted.status().as_u16(), 303);
        assert!(names_in(&list(&app, "").await).is_empty());
        app.add_contact("Ada Impostor", Some("ada@example.com"), None);
        app.post_form(&format!("/contacts/{id}/restore"), &format!("/contacts/{id}"), &[]).await;
        assert!(app.get_html(&format!("/contacts/{id}")).await.contains("cannot be restored"), "the address is taken now");
    }

    async fn possible_duplicates_share_a_normalized_email_or_name_and_phone(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Jo Ann", Some("jo.ann@gmail.com"), None);
        app.add_contact("Joann B", Some("joann+work@gmail.com"), None);
        app.add_contact("Sam Smith", None, Some("+1 555 0100"));
        app.add_contact("Sam Smith", Some("sam@example.com"), Some("+1 555 0100"));
        app.add_contact("Unique Person", Some("unique@example.com"), None);
        let html = list(&app, "?view=duplicates").await;
        assert_eq!(sidebar_count(&html, "Possible duplicates"), "4");
        assert_eq!(names_in(&html), ["Jo Ann", "Joann B", "Sam Smith", "Sam Smith"]);
    }

    async fn unknown_contacts_are_404(app) {
        app.sign_in_agent(false).await;
        assert_eq!(app.get("/contacts/999999").await.status().as_u16(), 404);
        assert_eq!(app.get("/contacts/not-a-number").await.status().as_u16(), 404);
    }
}
