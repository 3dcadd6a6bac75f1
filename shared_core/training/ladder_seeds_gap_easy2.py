"""Light tier-2 asks and last-turn conversations (written for this project from the ladder's definitions).

* tier 2: a concept in one paragraph, a short snippet or a common error explained, short
  emails and posts, small SQL and regex, JSON from a pasted signature or ad, notes put into
  a given format;
* conversations: light last turns after heavy technical ones (thanks, "what was that command
  again?", a one-word spelling or yes/no), tier-2 last turns that transform what came before
  (an email, three bullets, a line-by-line walk-through), and tier-3/4 last turns after light
  small talk, so the tier is always the last message's.

Continues :mod:`.ladder_seeds_gap_easy`, same forms.
"""

from __future__ import annotations

SLOTS_GAP_EASY2: dict[str, list[str]] = {
    "ge_concept_pair": [
        "a pension and an annuity",
        "an ETF and a mutual fund",
        "a virus and a bacterium",
        "RAM and storage",
        "a hurricane and a typhoon",
        "a cold and the flu",
        "APR and APY",
        "HTTP and HTTPS",
    ],
    "ge_simple_concept": [
        "compound interest",
        "how vaccines train the immune system",
        "what goes into a credit score",
        "how noise-cancelling headphones work",
        "inflation",
        "what a VPN actually does",
        "how a heat pump heats a house in winter",
    ],
    "ge_snippet2": [
        "pairs = sorted(zip(names, scores), key=lambda p: p[1], reverse=True)[:3]",
        "df.groupby('region')['revenue'].sum().sort_values(ascending=False).head(3)",
        "const unique = [...new Set(emails.map(e => e.trim().toLowerCase()))];",
        "du -sh * | sort -h | tail -5",
        "with open('data.csv') as f:\n    rows = [line.rstrip('\\n').split(',') for line in f if line.strip()]",
        "SELECT country, COUNT(*) FROM users WHERE created_at >= '2024-01-01' GROUP BY country;",
        "git rebase -i HEAD~3",
    ],
    "ge_error2": [
        "AttributeError: 'list' object has no attribute 'items'",
        "npm ERR! code ERESOLVE unable to resolve dependency tree",
        "error: failed to push some refs to 'origin'",
        "java.lang.NullPointerException",
        "Permission denied (publickey).",
        "ValueError: invalid literal for int() with base 10: 'abc'",
        "ERR_CONNECTION_REFUSED",
    ],
    "ge_signature": [
        "Best,\nPriya Raman\nHead of Partnerships | Loomstack Ltd\npriya.raman@loomstack.example | "
        "+44 20 7946 0321",
        "--\nTomas Ferreira, Procurement Lead\nBrisamar Foods S.A.\ntomas.f@brisamar.example\n"
        "Tel. +351 21 555 0143",
        "Kind regards, Hannah Weiss (she/her) - Customer Success, Feldhaus GmbH - h.weiss@feldhaus.example",
        "Thanks! Marcus Bell | Bell & Rowe Architects | marcus@bellrowe.example | (212) 555-0102",
    ],
    "ge_job_ad": [
        "We're hiring a Junior Data Analyst in Rotterdam (hybrid, 3 days in office). 3,200-3,800 EUR "
        "a month. Apply by 30 April.",
        "Line cook wanted at Olive & Ash, Bristol. 13.50-15 GBP/hour, evenings and weekends. Start ASAP, "
        "applications close Friday 9 May.",
        "Remote UX writer (EU time zones), 55-65k EUR, closing date 15 June. Portfolio required.",
        "Warehouse team leader, Leeds, nights, 34,000 GBP plus shift allowance. Deadline: 2 September.",
    ],
    "ge_meeting_notes": [
        "tues 4pm w/ Jo, Raj, Ellie. launch moves to the 18th. Raj updates pricing page, Ellie books "
        "photographer. Jo still unsure about budget",
        "sprint review 12/3 - Ana, Ben, Kofi. login bug fixed. search still slow, Kofi to profile it. "
        "demo to client next wed",
        "call w/ landlord 2 jun: rent same till dec, he fixes bedroom window by fri, I send meter "
        "photo every month",
        "1:1 with Sofia 5/6 - she wants Spanish lessons paid, I check budget. her review moved to july",
    ],
    "ge_bug_notes": [
        "app crashes when i tap export on an empty list, android 14, pixel 7. should just show a message",
        "checkout total shows 0.00 after applying code SPRING10 twice, expected 10% off once. chrome mac",
        "dark mode: date picker text is black on black in settings, iPhone 13, iOS 17",
        "pdf invoice shows last month's address after I changed it in profile, web app, firefox",
    ],
}

SEEDS_GAP_EASY2: list[tuple[int, str, str]] = [
    # -- explain_concept ------------------------------------------------------------------
    (2, "explain_concept", "In one paragraph, what's the difference between {ge_concept_pair}?"),
    (2, "explain_concept", "Explain {ge_simple_concept} in simple terms, I'm new to this"),
    (2, "explain_concept", "explain {ge_simple_concept} to a 14-year-old in a few sentences"),
    (
        2,
        "explain_concept",
        "my GP says my LDL is high. what's LDL vs HDL? short paragraph, no jargon pls",
    ),
    (2, "explain_concept", "why does bread go stale faster in the fridge? one paragraph"),
    (
        2,
        "explain_concept",
        "Plain English please: what's the difference between a will and a trust?",
    ),
    (
        2,
        "explain_concept",
        "what actually happens when I 'clear cache and cookies'? a paragraph is fine",
    ),
    (
        2,
        "explain_concept",
        "What's the difference between getting 2FA codes by text and using an authenticator app? "
        "Which is safer and why, a paragraph is plenty.",
    ),
    # -- explain_code ---------------------------------------------------------------------
    (2, "explain_code", "what does this do?\n\n{ge_snippet2}"),
    (2, "explain_code", "{ge_snippet2}\n\nexplain this to me like I only know the basics"),
    (2, "explain_code", "Can you explain this step by step? {ge_snippet2}"),
    (
        2,
        "explain_code",
        "a colleague left this in a PR:\n{ge_snippet2}\nwhat is it doing, in plain words?",
    ),
    (2, "explain_code", "What does this crontab line mean: 30 2 * * 1-5 /opt/scripts/backup.sh"),
    (2, "explain_code", "Explain this regex in plain words: ^[\\w.+-]+@[\\w-]+\\.[\\w.]+$"),
    # -- explain_error --------------------------------------------------------------------
    (2, "explain_error", "what does this error mean and what's the usual fix? {ge_error2}"),
    (2, "explain_error", "{ge_error2}\n\nexplain in simple terms pls, i'm not really a developer"),
    (
        2,
        "explain_error",
        "Excel shows #SPILL! in my cell. What does that mean and how do I get rid of it?",
    ),
    (
        2,
        "explain_error",
        "git says 'fatal: refusing to merge unrelated histories' - what does that mean?",
    ),
    (
        2,
        "explain_error",
        "Python keeps saying 'IndentationError: unindent does not match any outer indentation "
        "level'. what is it complaining about?",
    ),
    # -- email / social_post --------------------------------------------------------------
    (
        2,
        "email",
        "write a short email to my landlord saying the boiler stopped working again and asking "
        "when someone can come",
    ),
    (2, "email", "Draft a quick note to my team: standup moves to 9:30 from Monday, same link."),
    (
        2,
        "email",
        "short polite email declining a Friday meeting, suggest Tuesday afternoon instead",
    ),
    (
        2,
        "email",
        "email to a shop: order SH-448172 arrived with a cracked mug, I'd like a replacement not a "
        "refund. keep it short and friendly",
    ),
    (
        2,
        "social_post",
        "LinkedIn post, 3-4 sentences, announcing I've joined Loomstack as a junior data analyst. "
        "not cringe pls",
    ),
    (
        2,
        "social_post",
        "instagram caption for our bakery's new rye sourdough, fun, two lines, a few emojis",
    ),
    (
        2,
        "social_post",
        "Write a tweet saying our app will be down for maintenance Sunday 02:00-04:00 UTC.",
    ),
    # -- sql / regex ----------------------------------------------------------------------
    (
        2,
        "sql",
        "SQL to get all customers from Spain who signed up in 2024. table: customers(id, name, "
        "country, created_at)",
    ),
    (2, "sql", "write a query that counts orders per status in an orders table"),
    (2, "sql", "simple SQL: the 5 most expensive items in products(name, price)"),
    (2, "sql", "Postgres query to find email addresses that appear more than once in users"),
    (2, "regex", "regex for a UK postcode like SW1A 1AA or M1 1AE, with a couple of test strings"),
    (2, "regex", "regex that matches dates like 2024-03-15"),
    (2, "regex", "give me a regex to pull all the hashtags out of a tweet"),
    (2, "regex", "Regex to validate a hex colour like #1a2b3c or #abc?"),
    # -- extract_json / fill_template -----------------------------------------------------
    (
        2,
        "extract_json",
        "Pull name, job title, company, email and phone out of this as JSON:\n\n{ge_signature}",
    ),
    (2, "extract_json", "{ge_signature}\n\nturn that into a JSON contact card"),
    (2, "extract_json", "Extract job title, city, pay and deadline as JSON: {ge_job_ad}"),
    (
        2,
        "extract_json",
        "JSON with item, qty and price for each line: 2x flat white 3.20 each, 1x banana bread "
        "2.95, 1x oat milk extra 0.40",
    ),
    (
        2,
        "fill_template",
        "Put these notes into 'Date / Attendees / Decisions / Actions': {ge_meeting_notes}",
    ),
    (
        2,
        "fill_template",
        "Fill in our bug report template from my notes.\nTemplate: Title / Steps to reproduce / "
        "Expected / Actual / Device\nNotes: {ge_bug_notes}",
    ),
    (
        2,
        "fill_template",
        "Put this into our weekly update format (Done / Doing / Blocked): finished the onboarding "
        "emails, halfway through the pricing page copy, waiting on legal for the T&Cs",
    ),
    (
        2,
        "fill_template",
        "Using this template - 'Hi [name], your [service] is booked for [date] at [time]. Reply C "
        "to cancel.' - write one for Maya, haircut, 12 June, 15:30.",
    ),
]

# -- earlier turns reused by the conversations ---------------------------------------------
_K8S = (
    "Our pod keeps going into CrashLoopBackOff after today's deploy. kubectl logs shows 'listening "
    "on :8080' and then nothing; describe says 'Liveness probe failed: HTTP probe failed with "
    "statuscode: 404'. The probe is httpGet path /health port 8080, initialDelaySeconds 5.",
    "The app starts fine; Kubernetes is killing it. The liveness probe calls /health, which now "
    "returns 404, so after three failures the kubelet restarts the container, hence "
    "CrashLoopBackOff. The new release seems to serve /healthz instead. Either point the probe at "
    "/healthz or add /health back, and add a startupProbe if boot can take more than 5 seconds. "
    "Check it first with kubectl port-forward and curl localhost:8080/healthz.",
)
_PANDAS = (
    "Merging two DataFrames gives me way more rows than expected. orders has 12,400 rows, customers "
    "3,100. After pd.merge(orders, customers, on='email') I get 19,877 rows. Why??",
    "Because email is not unique in customers: some people registered twice, so every order of "
    "theirs is repeated once per duplicate. Check with customers['email'].duplicated().sum(). Fix "
    "it by de-duplicating first (drop_duplicates('email', keep='last')) or merging on customer_id, "
    "and pass validate='many_to_one' so pandas raises if it ever happens again.",
)
_DOCKER = (
    "Inside my container the app can't write to /app/uploads: PermissionError: [Errno 13] "
    "Permission denied. The Dockerfile has USER node and ./uploads is bind-mounted from the host.",
    "The host folder belongs to root (uid 0) but the process runs as node (uid 1000). Fix it on the "
    "host with sudo chown -R 1000:1000 ./uploads, or, for named volumes, create the folder in the "
    "image before switching user: RUN mkdir -p /app/uploads && chown -R node:node /app/uploads.",
)
_POSTGRES = (
    "This takes 14 s on a 9M-row events table: SELECT * FROM events WHERE user_id = 4812 AND "
    "created_at > now() - interval '7 days' ORDER BY created_at DESC LIMIT 50;",
    "EXPLAIN shows a sequential scan: there is an index on user_id alone, so Postgres still sorts "
    "every event of the user. Add a composite index that matches the filter and the order: CREATE "
    "INDEX CONCURRENTLY idx_events_user_created ON events (user_id, created_at DESC); then run "
    "ANALYZE events. The query should drop to a few milliseconds.",
)
_CI = (
    "Our GitHub Actions test job went from 4 to 17 minutes after we moved to a monorepo. Why?",
    "Two things: the npm cache key only hashes the root package-lock.json, so every workspace "
    "reinstalls from scratch, and every package's tests run on every push. Use actions/setup-node "
    "with cache-dependency-path: '**/package-lock.json', and run only affected packages with "
    "turbo run test --filter=...[origin/main]. That typically brings it back to about 5 minutes.",
)
_FUNC = (
    "Write a Python function that groups transactions by month and returns the totals.",
    "```python\nfrom collections import defaultdict\n\n\ndef monthly_totals(transactions):\n"
    "    totals = defaultdict(float)\n    for t in transactions:\n        key = t['date'][:7]\n"
    "        totals[key] += t['amount']\n    return dict(sorted(totals.items()))\n```",
)
_ESSAY = (
    "Can you tighten my cover letter for the museum education officer job? [420 words pasted: "
    "five years running school workshops, a dependent-on-funding outreach project, volunteering]",
    "Here's a tighter version (310 words). I moved your strongest result, the 40% rise in school "
    "bookings, into the first paragraph, cut the repeated 'passionate', and ended with a concrete "
    "offer to run a sample workshop...",
)
_MEAL = (
    "Plan a week of dinners for two adults and two kids, 70 GBP budget, one vegetarian, no nuts, "
    "with a shopping list.",
    "Here's a plan: Mon lentil bolognese, Tue traybake chicken (halloumi for the veggie), Wed "
    "veg fried rice, Thu jacket potatoes, Fri homemade pizza... Shopping list by aisle, about "
    "64 GBP at a discount supermarket, including 250 g butter and 1.5 kg flour.",
)
_SMALL = [
    ("hey!", "Hey! How's it going?"),
    ("good, friday finally 😄", "Nice! Any plans for the weekend?"),
]
_WEEK = ("ok that's work done for the week", "Nice work, enjoy the weekend!")
_GREEN = ("it's green now!!", "Great news, well done.")
_ENG_SYS = "You are a senior software engineer helping colleagues. Be concise and practical."
_WRITE_SYS = "You are a writing assistant. Keep the user's voice and do not add facts."

CONVERSATIONS_GAP_EASY2: list[tuple[int, str, str, list[tuple[str, str]], str]] = [
    # -- tier 1 after heavy turns ---------------------------------------------------------
    (1, "thanks", "", [_K8S], "that did it, pods are healthy again. cheers"),
    (1, "thanks", "", [_PANDAS], "perfect 👍"),
    (1, "fact_lookup", "", [_DOCKER], "what was that chown command again?"),
    (1, "thanks", _ENG_SYS, [_CI], "cheers, down to 6 minutes. that's all I needed"),
    (1, "yes_no", "", [_POSTGRES], "does CONCURRENTLY lock the table? just yes or no"),
    (1, "definition", "", [_POSTGRES], "btw what does ANALYZE actually do, one line"),
    (1, "small_talk", "", [_CI, _WEEK], "lol what a week. anyway how are you doing?"),
    (1, "spelling", _WRITE_SYS, [_ESSAY], "quick one: 'dependant on funding' or 'dependent'?"),
    (1, "unit_conversion", "", [_MEAL], "250 g of butter in sticks? US recipe in the other tab"),
    (1, "small_talk", "", [_K8S, _GREEN], "you're way better at this than me haha"),
    (1, "thanks", "", [_FUNC], "nice, works first time. thank you!"),
    (1, "fact_lookup", "", [_CI], "sorry, which file does that cache setting go in again?"),
    # -- tier 2 that transform what came before -------------------------------------------
    (2, "email", "", [_K8S], "write a quick note for the on-call channel: what broke, what we changed"),
    (2, "explain_code", "", [_FUNC], "explain what that function does step by step, I'm new to Python"),
    (2, "summarize", "", [_POSTGRES], "summarise that in 3 bullets for the ticket"),
    (2, "fill_template", "", [_CI], "put the fix in our changelog format: Added/Changed/Fixed"),
    (2, "rewrite_tone", _WRITE_SYS, [_ESSAY], "now a shorter, casual version I can send as a DM"),
    (2, "explain_error", "", [_DOCKER], "and what does 'Errno 13' mean exactly? short explanation"),
    (2, "email", "", [_MEAL], "turn the shopping list into a WhatsApp msg for my partner"),
    (2, "explain_concept", "", [_PANDAS], "what's a many-to-one merge, in simple terms?"),
    (2, "sql", "", [_POSTGRES], "also, SQL to count that user's events per day last week?"),
    (2, "social_post", "", [_CI], "short LinkedIn post about cutting our CI from 17 to 5 min"),
    # -- tier 3/4 after light turns -------------------------------------------------------
    (
        3,
        "code_generation",
        "",
        _SMALL,
        "alright, something bigger: write a Python script that watches a folder and uploads new "
        "PDFs to S3, with retries, logging, a config file and tests",
    ),
    (
        3,
        "debugging",
        "",
        [("thanks for yesterday!", "Happy to help! What's up today?")],
        "our nightly ETL drops rows when a CSV field has a quoted newline in it. here's the "
        "reader:\n```python\ndef load_rows(path):\n    rows = []\n    with open(path) as f:\n"
        "        for line in f:\n            rows.append(line.rstrip('\\n').split(','))\n"
        "    return rows\n```\nfind the bug, fix it properly and add tests for the edge cases",
    ),
    (
        3,
        "long_form",
        "",
        [("hi, hope you're well", "I am, thanks! What can I do for you?")],
        "I need a 1,500-word blog post for our garden centre on planting for pollinators in "
        "small urban gardens, with sections, a seasonal plant table and a short FAQ",
    ),
    (
        3,
        "analysis",
        "",
        [("thanks, that's clear", "You're welcome!")],
        "next thing: returns jumped from 6% to 11% in Q3. By category: bedding 4->5%, candles "
        "3->3%, rugs 9->24%, lamps 7->8%. Rugs moved to a new supplier in July and the photos "
        "changed. Work out what's driving it and what we should test first.",
    ),
    (
        4,
        "system_design",
        "",
        _SMALL,
        "alright, the big one: design our multi-region payments ledger - double-entry, "
        "exactly-once posting across three regions, reconciliation with the banks, audit trails, "
        "and a zero-downtime migration off the monolith",
    ),
    (
        4,
        "research_synthesis",
        "",
        [("morning!", "Good morning!"), ("coffee's kicking in", "Perfect timing.")],
        "right, work: synthesise the evidence on four-day work weeks - the UK, Iceland and "
        "Japan trials, how productivity and wellbeing were measured, selection effects, and what "
        "a rigorous trial would look like",
    ),
    (
        4,
        "system_design",
        _ENG_SYS,
        [("thanks for the CI tip earlier", "Anytime! What's next?")],
        "bigger one: design a real-time fraud-scoring service for 40k card transactions/s - "
        "features, model serving under 50 ms, fallbacks when the model is down, monitoring, drift",
    ),
    (
        4,
        "proof",
        "",
        [("lol that joke was terrible", "I'll take that as a compliment.")],
        "fine, something harder: prove there are infinitely many primes congruent to 3 mod 4, "
        "with a complete argument",
    ),
]
