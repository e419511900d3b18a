//! The knowledge-base articles a demo instance's Help Center starts with.

/// A knowledge-base article shown in the customer Help Center.
#[derive(Debug, Clone, Copy)]
pub struct DemoArticle {
    pub title: &'static str,
    pub slug: &'static str,
    pub category: &'static str,
    /// Markdown source.
    pub body: &'static str,
}

/// Exactly 15 Help Center articles in four categories.
pub const ARTICLES: &[DemoArticle] = &[
    // ---------------------------------------------------------------- Getting started
    DemoArticle {
        title: "Activating your Help Center account",
        slug: "activating-your-help-center-account",
        category: "Getting started",
        body: r#"When our support team invites you to the Help Center, you receive an email with the subject **"You're invited to the Help Center"**. The link in that email activates your account.

## Steps

1. Open the invitation email and click **Activate my account**.
2. Choose a password of at least 10 characters.
3. Click **Activate**. You are signed in straight away.

From now on you can sign in with your email address and the password you chose.

## Good to know

- Invitation links are personal. Please do not forward them to colleagues; ask us to invite them instead.
- Each link can be used only once and expires after **7 days**.
- If the link has expired, see **My invitation link has expired**.

If you did not expect an invitation, you can safely ignore the email. No account is created until you click the link."#,
    },
    DemoArticle {
        title: "Signing in to the Help Center",
        slug: "signing-in-to-the-help-center",
        category: "Getting started",
        body: r#"Once your account is activated, you can sign in at any time to read articles, submit tickets and follow up on earlier requests.

## How to sign in

1. Go to the Help Center and click **Sign in** in the top right corner.
2. Enter the email address we invited and your password.
3. Click **Sign in**.

Tick **Keep me signed in** only on a device you trust. On shared computers, always use **Sign out** when you are done.

## Common problems

- **"Invalid email or password"** — check for typos and make sure Caps Lock is off. If it still fails, **reset your password**.
- **"Your account has been deactivated"** — your organisation's access was turned off. Contact your account administrator or reply to any earlier ticket email.
- **You never set a password** — your account may not be activated yet. Look for the invitation email first."#,
    },
    DemoArticle {
        title: "A quick tour of the Help Center",
        slug: "a-quick-tour-of-the-help-center",
        category: "Getting started",
        body: r#"The Help Center is where you find answers and talk to our support team. Here is what you will see after signing in.

## Home

The search box at the top searches every published article. Type a few keywords, such as `invoice` or `password`, and press Enter. Below the search box you will find the article categories.

## Knowledge base

Articles are grouped into four categories: **Getting started**, **Account & billing**, **Tickets** and **Troubleshooting**. Each article ends with links to related topics.

## My tickets

The **My tickets** page lists every request you have sent us, newest first, with its current status. Click a subject to read the full conversation and add a reply.

## Submit a ticket

Could not find what you were looking for? Use **Submit a ticket** to describe the problem. A member of our team will get back to you, usually within one business day."#,
    },
    DemoArticle {
        title: "Setting up your profile and notifications",
        slug: "setting-up-your-profile-and-notifications",
        category: "Getting started",
        body: r#"Your profile tells our team who they are talking to and how you want to be kept informed.

## Updating your profile

1. Click your name in the top right corner and choose **Profile**.
2. Update your name, phone number or time zone.
3. Click **Save changes**.

Setting the right **time zone** matters: dates on your tickets and scheduled reports are shown in that zone.

## Email notifications

By default we email you when:

- an agent replies to one of your tickets,
- a ticket changes status, for example from *Open* to *On hold*,
- a ticket is closed.

You can turn off status-change emails under **Profile → Notifications**. Replies from agents are always sent, so you never miss an answer.

Your email address can only be changed by our support team, because it is used to identify your account. Submit a ticket if you need it updated."#,
    },
    // ---------------------------------------------------------------- Account & billing
    DemoArticle {
        title: "Resetting your password",
        slug: "resetting-your-password",
        category: "Account & billing",
        body: r#"Forgot your password? You can choose a new one in a couple of minutes.

## Steps

1. On the sign-in page, click **Forgot your password?**
2. Enter the email address you use for the Help Center and click **Send reset link**.
3. Open the email and click **Choose a new password**. The link is valid for **1 hour**.
4. Enter your new password twice and click **Save**.

For security reasons we show the same confirmation whether or not the address has an account, so if no email arrives within a few minutes:

- check your spam or junk folder,
- make sure you used the address we invited,
- ask your IT team to allow mail from our support domain.

## Choosing a strong password

Use at least 10 characters. A short phrase of unrelated words, such as `copper lantern violin`, is both strong and easy to remember. Never reuse a password from another site."#,
    },
    DemoArticle {
        title: "Updating your billing details",
        slug: "updating-your-billing-details",
        category: "Account & billing",
        body: r#"Only the **account owner** and users with the **Billing** role can change payment and invoice details.

## Changing the payment card

1. Sign in to the product and open **Settings → Billing**.
2. Under **Payment method**, click **Replace card**.
3. Enter the new card details and click **Save**.

The new card is used from the next renewal. If a payment recently failed, we retry it automatically within 24 hours.

## Changing the invoice address or VAT number

Under **Invoice details** you can edit:

- company name and address,
- VAT or tax ID,
- the email address that receives invoices.

Changes apply to future invoices only. If you need an **existing** invoice reissued with new details, submit a ticket in the *Account & billing* category and mention the invoice number (for example `INV-2024-0153`)."#,
    },
    DemoArticle {
        title: "Downloading invoices and receipts",
        slug: "downloading-invoices-and-receipts",
        category: "Account & billing",
        body: r#"Every payment produces an invoice and a receipt. You can download them at any time.

## Where to find them

1. Open **Settings → Billing → History**.
2. Each row shows the date, amount and status of a payment.
3. Click **Invoice** or **Receipt** to download a PDF.

## Sending invoices to your finance team

Add your finance team's address under **Invoice details → Billing email**. We will send a copy of every invoice there automatically, in addition to the account owner.

## Frequently asked questions

**Can I get invoices in another currency?**
Invoices are issued in the currency of your subscription. To switch currency, change plans at the start of a billing period.

**An invoice is missing.**
Invoices appear within a few minutes of a successful payment. If a payment failed, no invoice is issued until it succeeds. Still missing after a day? Submit a ticket and we will look into it."#,
    },
    DemoArticle {
        title: "Changing or cancelling your plan",
        slug: "changing-or-cancelling-your-plan",
        category: "Account & billing",
        body: r#"You can move between plans at any time from **Settings → Billing → Plan**.

## Upgrading

Upgrades take effect immediately. You pay a prorated amount for the rest of the current billing period, and the new features are available straight away.

## Downgrading

Downgrades take effect at the **end of the current billing period**. Before downgrading, check that you are within the limits of the smaller plan, such as the number of users. Otherwise the change is blocked and we show which limits are exceeded.

## Cancelling

1. Open **Settings → Billing → Plan** and click **Cancel subscription**.
2. Tell us why you are leaving (optional, but it helps us improve).
3. Confirm the cancellation.

Your account stays fully usable until the end of the period you have paid for. After that, your data is kept for **30 days** so you can export it or change your mind. Refunds for unused time are not issued automatically; submit a ticket if you believe you are entitled to one."#,
    },
    // ---------------------------------------------------------------- Tickets
    DemoArticle {
        title: "Submitting a new ticket",
        slug: "submitting-a-new-ticket",
        category: "Tickets",
        body: r#"If an article does not answer your question, submit a ticket and our support team will help.

## How to submit a ticket

1. Sign in and click **Submit a ticket**.
2. Write a short, specific **subject**, for example *"Export to CSV is missing the date column"*.
3. Describe the problem in the message box.
4. Attach screenshots or files if they help (up to 10 MB each).
5. Click **Submit**.

You will receive a confirmation email with your ticket number.

## Tips for a faster answer

- Say what you expected to happen and what happened instead.
- Include the exact error message, if there is one.
- Mention when the problem started and whether it affects everyone or just you.
- Send **one topic per ticket**. Separate questions are easier to track separately.

Please never include passwords or full card numbers in a ticket."#,
    },
    DemoArticle {
        title: "Tracking the status of your tickets",
        slug: "tracking-the-status-of-your-tickets",
        category: "Tickets",
        body: r#"You can follow the progress of every request you have sent us from the **My tickets** page.

## The ticket list

Sign in and click **My tickets**. For each ticket you will see:

- the ticket number and subject,
- its current **status**,
- when it was last updated.

Use the filter at the top to show only open tickets, or search by subject or ticket number.

## Reading a ticket

Click a subject to open the full conversation. Messages are shown oldest first, with replies from our team clearly marked. The status is shown at the top of the page.

## Staying up to date

We email you whenever an agent replies or the status changes, so you do not need to check the Help Center constantly. You can reply directly to those emails; your answer is added to the ticket.

Not sure what a status means? See **What the ticket statuses mean**."#,
    },
    DemoArticle {
        title: "What the ticket statuses mean",
        slug: "what-the-ticket-statuses-mean",
        category: "Tickets",
        body: r#"Every ticket has one of three statuses. The status tells you who is expected to act next.

## Open

Our team is working on your request. Either it is new and waiting for a first reply, or an agent is investigating. **You do not need to do anything.**

## On hold

We are waiting for something before we can continue, for example:

- more information or a screenshot from you,
- a fix from our engineering team,
- a reply from a third party, such as a payment provider.

If we are waiting for you, the last message in the ticket explains what we need. Replying moves the ticket back to **Open**.

## Closed

The request has been resolved. You can still read the conversation at any time.

If the problem comes back, reply to the ticket within **14 days** to reopen it. After that, please submit a new ticket and mention the old ticket number so we have the full history."#,
    },
    DemoArticle {
        title: "Replying to and reopening a ticket",
        slug: "replying-to-and-reopening-a-ticket",
        category: "Tickets",
        body: r#"You can add information to a ticket at any time, either from the Help Center or by email.

## Replying in the Help Center

1. Open **My tickets** and click the ticket's subject.
2. Type your message in the reply box at the bottom.
3. Attach files if needed and click **Send reply**.

## Replying by email

Simply reply to any notification email about the ticket. Keep the ticket number, for example `[#4821]`, in the subject line so your message is added to the right ticket. Quoted text from earlier emails is removed automatically.

## Reopening a closed ticket

Replying to a closed ticket within **14 days** reopens it and sets its status back to **Open**. An agent will pick it up as usual.

If the ticket was closed more than 14 days ago, your reply starts a new ticket that links to the old one. Please explain what has changed since the original issue."#,
    },
    // ---------------------------------------------------------------- Troubleshooting
    DemoArticle {
        title: "My invitation link has expired",
        slug: "invitation-link-expired",
        category: "Troubleshooting",
        body: r#"Invitation links are valid for **7 days** and can be used only once. If you click an old link, you will see the message *"This invitation has expired or has already been used."*

## What to do

- **You already activated your account.** Just **sign in** with your email address and password. If you forgot the password, **reset it**.
- **You never activated your account.** Ask us for a new invitation. Reply to any email from our support team, or ask a colleague who already has access to submit a ticket for you.

When we send a new invitation, all earlier links stop working. Always use the **most recent** email.

## The invitation never arrived

Check your spam or junk folder and search for emails from our support address. Some company mail filters hold messages with links for a few minutes, so wait a little before asking again. If your IT team uses an allow list, ask them to add our support domain."#,
    },
    DemoArticle {
        title: "Not receiving emails from support",
        slug: "not-receiving-emails-from-support",
        category: "Troubleshooting",
        body: r#"If our replies, invitations or password reset emails are not reaching you, work through this checklist.

## 1. Check spam and other folders

Look in spam, junk, *Promotions* or *Updates* folders. If you find our email there, mark it as **Not spam** so future messages arrive in your inbox.

## 2. Check the address

Sign in and open **Profile** to see which address we have on file. A small typo is a surprisingly common cause. Only our team can change it, so submit a ticket if it is wrong.

## 3. Ask your IT team

Corporate mail filters sometimes block or delay automated email. Ask your IT team to allow messages from our support domain and to check their quarantine.

## 4. Use the Help Center

While you sort out email delivery, you can always read and answer your tickets under **My tickets**. Nothing is lost: every reply is stored on the ticket even if the email notification never arrived."#,
    },
    DemoArticle {
        title: "Fixing API authentication errors",
        slug: "fixing-api-authentication-errors",
        category: "Troubleshooting",
        body: r#"A `401 Unauthorized` response means the API could not verify who is calling. A `403 Forbidden` response means the key is valid but not allowed to perform that action.

## Check the header

Every request must send your API key as a bearer token:

```
curl https://api.example.com/v1/reports \
  -H "Authorization: Bearer YOUR_API_KEY"
```

Common mistakes are a missing `Bearer` prefix, extra spaces or quotes around the key, and sending the key as a query parameter.

## Check the key

- Keys are shown only once when created. If you are unsure, create a new key under **Settings → API keys** and revoke the old one.
- Revoked or expired keys return `401` immediately.
- Test keys only work against the sandbox, not production.

## Still failing?

Submit a ticket with the **time** of a failed request and the **request ID** from the `X-Request-Id` response header. Never send us the API key itself."#,
    },
];
