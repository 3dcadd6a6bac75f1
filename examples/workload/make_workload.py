"""Write examples/workload/sample_prompts.jsonl: ~300 prompts of mixed kinds for the demo.

The prompts are written for this package (templates and word lists below), not taken from
any benchmark. The output is deterministic (fixed seed), so re-running gives the same file:

    python examples/workload/make_workload.py [OUTPUT.jsonl]
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "sample_prompts.jsonl"

GREETINGS = [
    "hi",
    "Hello!",
    "hey there",
    "Good morning :)",
    "thanks!",
    "Thank you so much, that worked.",
    "ok cool",
    "Hi, are you there?",
    "yo",
    "Hello, who am I talking to?",
    "thanks, that's all for today",
    "Great, appreciate it!",
    "hiya, how's it going?",
    "Good evening!",
    "👋",
    "ty",
]

FACTS = [
    "What is the capital of {country}?",
    "Who wrote {book}?",
    "When did {event} happen?",
    "How many legs does a {animal} have?",
    "What's the boiling point of water in Fahrenheit?",
    "Which planet is closest to the sun?",
    "What currency does {country} use?",
    "What is the chemical symbol for {element}?",
    "How tall is Mount Everest in meters?",
    "What language is mostly spoken in {country}?",
    "Who painted {painting}?",
    "what year did the first iPhone come out",
]
COUNTRIES = [
    "Australia",
    "Canada",
    "Kenya",
    "Peru",
    "Norway",
    "Vietnam",
    "Portugal",
    "Chile",
    "Morocco",
    "New Zealand",
    "Switzerland",
    "Japan",
]
BOOKS = [
    "Pride and Prejudice",
    "One Hundred Years of Solitude",
    "The Old Man and the Sea",
    "Things Fall Apart",
    "Don Quixote",
    "The Brothers Karamazov",
]
EVENTS = [
    "the fall of the Berlin Wall",
    "the first Moon landing",
    "the signing of the Magna Carta",
    "the French Revolution",
    "the launch of Sputnik",
]
ANIMALS = ["spider", "octopus", "ant", "crab", "starfish", "kangaroo"]
ELEMENTS = ["gold", "sodium", "tungsten", "potassium", "iron", "silver"]
PAINTINGS = [
    "The Starry Night",
    "Girl with a Pearl Earring",
    "The Persistence of Memory",
    "Guernica",
    "The Birth of Venus",
]

FORMATTING = [
    "Convert this list to a markdown table with columns Name and Age: {people}",
    "Make this title case: {title}",
    "Turn these into bullet points: {items}",
    "Format this date as ISO 8601: {date}",
    "Convert to JSON with keys name, email: {person_line}",
    "Alphabetise: {items}",
    "Put this in all caps: {title}",
    "Rewrite this phone number in international format: (415) 555-0132, US",
    "Remove the duplicates from this list: {dup_items}",
    "Make this sentence shorter: {long_sentence}",
]
PEOPLE = ["Ana 34, Ben 29, Chloé 41", "Dmitri 52, Eve 23", "Farah 31, Gus 45, Hiro 38, Ines 27"]
TITLES = [
    "the quick guide to sourdough baking",
    "a history of the printing press",
    "why cats knock things off tables",
    "notes from the quarterly planning offsite",
]
ITEMS = [
    "milk, eggs, bread, coffee, spinach",
    "zebra, apple, mango, kiwi, banana",
    "Paris, Berlin, Lisbon, Oslo, Athens",
    "deploy, test, build, lint",
]
DUP_ITEMS = ["red, blue, red, green, blue, yellow", "3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5"]
DATES = ["March 3rd, 2021", "12/07/1999 (day first)", "the 1st of January 2030", "Jul 4 76"]
PERSON_LINES = ["Jane Doe <jane.doe@example.com>", "Raj Patel, raj@example.org"]
LONG_SENTENCES = [
    "Due to the fact that the meeting that was scheduled for Tuesday has been moved, we will "
    "need to find a new time that works for everyone who was originally invited to attend.",
    "In my personal opinion, I think that it would probably be a good idea for us to maybe "
    "consider the possibility of reviewing the budget at some point in the near future.",
]

SHORT_QA = [
    "Is it safe to leave cooked rice out overnight?",
    "What's the difference between affect and effect?",
    "How do I convert Celsius to Fahrenheit?",
    "Should I use 'fewer' or 'less' with minutes?",
    "What does HTTP 404 mean?",
    "How long should I boil an egg for a runny yolk?",
    "What is a Roth IRA, in one sentence?",
    "Why is the sky blue? Keep it short.",
    "Can you freeze cooked pasta?",
    "What does 'idempotent' mean in REST APIs?",
    "How many tablespoons are in a cup?",
    "What's a good name for a grey kitten?",
    "Is {word} a real word?",
    "What's the plural of {plural}?",
    "Give me a synonym for '{adj}'.",
]
WORDS = ["irregardless", "conversate", "snuck", "funner"]
PLURALS = ["octopus", "cactus", "moose", "syllabus", "fish"]
ADJS = ["happy", "quick", "important", "difficult", "beautiful"]

CODING = [
    "Write a Python function that checks whether a string is a palindrome, ignoring case and "
    "punctuation.",
    "Write a SQL query that returns the top {num} customers by total order value from tables "
    "customers(id, name) and orders(id, customer_id, amount).",
    "How do I read a CSV file into a pandas DataFrame and drop rows with missing values?",
    "Write a bash one-liner that counts the lines in all .py files under the current folder.",
    "Implement an LRU cache in {lang} with O(1) get and put.",
    "Write a regex that matches a UK postcode.",
    "Write a TypeScript type for a function that takes a list of users and returns a map from "
    "user id to user.",
    "Implement binary search in {lang} and explain its complexity.",
    "Write a Python async function that fetches {num} URLs concurrently with a limit of 5 at a time.",
    "Write a {lang} program that merges two sorted linked lists.",
    "Give me a Dockerfile for a small Flask app with gunicorn.",
    "Write a React hook that debounces a value by 300 ms.",
    "Implement a thread-safe bounded queue in {lang} without using the standard library's queue.",
    'Write a Go HTTP handler that returns JSON {"status": "ok"} and a 200.',
    "Write a Python decorator that retries a function up to {num} times with exponential backoff.",
    "Write a Rust function that parses 'key=value;key2=value2' into a HashMap.",
]
LANGS = ["Python", "Java", "Go", "Rust", "C++", "TypeScript"]

DEBUGGING = [
    "Why does this raise 'list index out of range'?\n\n```python\nitems = [1, 2, 3]\n"
    "for i in range(len(items) + 1):\n    print(items[i])\n```",
    "My React component re-renders forever. Here's the code:\n\n```jsx\nfunction App() {\n"
    "  const [n, setN] = useState(0);\n  setN(n + 1);\n  return <div>{n}</div>;\n}\n```",
    "I get 'TypeError: unhashable type: list' when I do `d = {[1, 2]: 'a'}`. Why?",
    'This Java code throws a NullPointerException, why?\n\n```java\nString s = map.get("key");\n'
    'if (s.equals("x")) { ... }\n```',
    "My Postgres query got slow after the table grew to 50M rows:\n\n```sql\nSELECT * FROM events "
    "WHERE lower(email) = 'a@b.com' ORDER BY created_at DESC LIMIT 20;\n```\nThere is an index on "
    "email. What's wrong and how do I fix it?",
    "Segfault in this C code, can you spot it?\n\n```c\nchar *copy(const char *s) {\n"
    "  char buf[64];\n  strcpy(buf, s);\n  return buf;\n}\n```",
    "My Python script uses 16 GB of RAM reading a 2 GB log file with `f.readlines()`. How can I "
    "process it line by line instead?",
    "Why does `0.1 + 0.2 == 0.3` print False in JavaScript?",
    "A goroutine leak: my Go service's goroutine count grows by ~100 per minute. The handlers "
    "start a goroutine that sends on an unbuffered channel and returns early on timeout. What "
    "is going on and how do I fix it?",
    "Kubernetes pod keeps restarting with CrashLoopBackOff and exit code 137. What should I check?",
    "Git says 'detached HEAD' after I checked out a tag. Did I lose my work?",
    "Intermittent deadlock: two services each take a row lock on accounts A and B in opposite "
    "order during transfers. Explain why it deadlocks and propose a fix that keeps transfers "
    "atomic.",
]

MATH = [
    "A train leaves at 9:40 and arrives at 13:15. How long is the journey?",
    "If {a} apples cost ${b}, how much do {c} apples cost?",
    "A shirt costs ${p} after a {d}% discount. What was the original price?",
    "Sara is {a} years older than her brother. In {c} years their ages will add up to {s}. "
    "How old is each now?",
    "What is {a}% of {s}?",
    "A tank fills in {a} hours with pipe A and {c} hours with pipe B. How long with both?",
    "Solve for x: {a}x + {b} = {s}",
    "A rectangle has a perimeter of {s} cm and its length is {a} cm more than its width. "
    "Find its area.",
    "I invest ${s} at {d}% interest compounded yearly. How much after {c} years?",
    "Three friends split a bill of ${s} so that the second pays twice the first and the third "
    "pays ${b} more than the second. How much does each pay?",
    "A car travels {s} km at {a}0 km/h and returns at {c}0 km/h. What is the average speed?",
    "How many ways can {c} people sit around a round table?",
]

PROOFS = [
    "Prove that the square root of 2 is irrational.",
    "Prove that there are infinitely many primes.",
    "Show that the sum of the first n odd numbers is n^2.",
    "Prove that every tree with n vertices has exactly n-1 edges.",
    "Prove that a continuous function on a closed interval attains its maximum.",
    "Prove that for every prime p > 3, p^2 - 1 is divisible by 24.",
    "Show that the set of real numbers is uncountable.",
    "Prove that if a graph has no odd cycles then it is bipartite.",
    "Prove that the harmonic series diverges, and give a bound on how fast its partial sums grow.",
    "Let f be a group homomorphism. Prove that its kernel is a normal subgroup.",
    "Prove that every bounded monotone sequence of real numbers converges.",
    "Prove the Cauchy-Schwarz inequality for vectors in R^n and state when equality holds.",
]

DESIGN = [
    "Design a URL shortener that handles 10,000 writes/s and 500,000 reads/s. Cover the data "
    "model, ID generation, caching and how you would shard it.",
    "How would you design a rate limiter for a public API serving {num} million users across "
    "several regions?",
    "Design the backend for a ride-sharing app's real-time driver matching. What are the "
    "trade-offs between consistency and latency?",
    "We need exactly-once processing of payment events from Kafka into Postgres. Propose an "
    "architecture and explain the failure modes it handles.",
    "Design a multi-tenant SaaS permission system supporting roles, groups and per-resource "
    "overrides, with audit logs.",
    "Compare event sourcing and CRUD with an outbox for an order-management service. Which "
    "would you pick for a team of {c} engineers and why?",
    "Design a collaborative text editor like Google Docs: which conflict-resolution approach "
    "(OT or CRDT), how presence works, and how you'd store history.",
    "Our monolith's deploys take 2 hours and break often. Propose a migration plan to services "
    "without stopping feature work, with milestones and risks.",
    "Design a feature store for ML that serves online features at p99 < 10 ms and backfills "
    "offline features for training without leakage.",
    "How would you build a search engine for 200M product listings with typo tolerance, facets "
    "and personalised ranking?",
]

CREATIVE = [
    "Write a haiku about {topic}.",
    "Write a short poem about {topic} in the style of a sea shanty.",
    "Write a 300-word short story about {character} who discovers {twist}.",
    "Give me five catchy slogans for a {business}.",
    "Write a limerick about {character}.",
    "Write a heartfelt toast for my sister's wedding. She loves {topic} and terrible puns.",
    "Write the opening paragraph of a noir detective novel set in {city}.",
    "Write a bedtime story for a 5-year-old about {character}.",
    "Compose a sonnet about {topic} that ends with a twist.",
    "Write a product description for a {business} that sounds luxurious but honest.",
    "Write a dialogue between {character} and a sceptical journalist.",
]
TOPICS = [
    "autumn rain",
    "a forgotten umbrella",
    "morning coffee",
    "the last train home",
    "debugging at 3am",
    "a lighthouse",
    "city pigeons",
    "first snow",
]
CHARACTERS = [
    "a retired astronaut",
    "a shy dragon",
    "a lighthouse keeper",
    "a time-travelling librarian",
    "a robot learning to cook",
    "a cat who runs a bakery",
]
TWISTS = [
    "a door that wasn't there yesterday",
    "their own diary from the future",
    "that the moon hums at night",
    "a map drawn in invisible ink",
]
BUSINESSES = [
    "small vegan bakery",
    "bike repair shop",
    "language-learning app",
    "local bookshop",
    "dog-walking service",
]
CITIES = ["Lisbon", "1950s Chicago", "a rainy Osaka", "Marseille", "a city on Mars"]

REASONING = [
    "Five people (A-E) sit in a row. A is not at either end, B sits right of C, D is next to E, "
    "and C is at the left end. List every valid seating.",
    "If all bloops are razzies and some razzies are lazzies, can we conclude that some bloops "
    "are lazzies? Explain.",
    "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much "
    "does the ball cost? Explain the common mistake.",
    "You have 12 coins, one counterfeit (heavier or lighter). With a balance scale and three "
    "weighings, find it and say whether it is heavier or lighter.",
    "Our sign-ups fell 20% the week we changed the pricing page, but a competitor launched the "
    "same week and it was a holiday. How would you work out which caused the drop?",
    "Should a 30-person startup build its own auth system or buy one? Weigh the costs, risks "
    "and second-order effects, then recommend.",
    "A hospital test is 99% sensitive and 95% specific for a disease with 1% prevalence. If a "
    "patient tests positive, what is the chance they have the disease? Walk through it.",
    "Plan a 5-day trip to Japan for two people on a $3,000 budget excluding flights, balancing "
    "Tokyo and Kyoto, with a day-by-day itinerary and cost estimates.",
    "Three boxes are labelled apples, oranges and mixed, and all labels are wrong. You may "
    "take one fruit from one box. How do you relabel them correctly?",
    "Analyse the trade-offs of a four-day work week for a 200-person customer-support team, "
    "including coverage, morale, costs and how you'd pilot it.",
    "Evaluate this argument: 'Every time we run a sale, revenue goes up, so we should run sales "
    "every week.' What is wrong with it and what data would settle it?",
    "A company has three warehouses and five stores with given supplies and demands. Explain "
    "how to set up the minimum-cost shipping plan as a linear program, and what its dual means.",
]

TRANSLATION = [
    "Translate to French: '{phrase}'",
    "How do you say '{phrase}' in Spanish?",
    "Translate into German, formal register: '{phrase}'",
    "¿Cómo se dice 'good luck with the exam' en italiano?",
    "Translate this into Japanese and give the romaji: '{phrase}'",
]
PHRASES = [
    "Where is the train station?",
    "I would like a table for two, please.",
    "Thank you for your quick reply.",
    "The meeting has been moved to Thursday.",
    "Could you send me the invoice again?",
]

EXTRACTION = [
    "Extract the names and dates from this text: 'On 4 May, Priya met Tom in Leeds; on 9 June "
    "she flew to Oslo with Marta.'",
    "Pull out every email address from: contact sales@example.com or, for support, "
    "help@example.org; press: media@example.net",
    "From this receipt, list the items and the total: 'Latte 3.80, Croissant 2.50, Water 1.20, "
    "TOTAL 7.50'",
    "Classify the sentiment of this review as positive, negative or neutral: '{review}'",
    "Which of these are fruits: tomato, carrot, cucumber, potato, pepper?",
    "Tag this support ticket with one of billing/bug/feature-request: '{ticket}'",
]
REVIEWS = [
    "The battery died after two days and support never answered.",
    "Does what it says. Nothing more, nothing less.",
    "Absolutely love it, the best purchase I've made this year!",
]
TICKETS = [
    "I was charged twice for March.",
    "The export button does nothing on Safari.",
    "Could you add dark mode to the mobile app?",
]

EXPLAIN = [
    "Explain how {concept} works to someone who has never programmed.",
    "What are the pros and cons of {choice}?",
    "Explain {concept} with a simple analogy, then a precise definition.",
    "Compare {choice} for a small team. Which would you recommend and when?",
    "I'm preparing for an interview. Can you quiz me on {concept} with three questions and "
    "then explain the answers?",
    "Write a short study guide on {concept}: key ideas, a worked example, common pitfalls.",
]
CONCEPTS = [
    "HTTPS and TLS certificates",
    "garbage collection",
    "the CAP theorem",
    "gradient descent",
    "DNS resolution",
    "public-key cryptography",
    "database indexes",
    "compound interest",
    "vaccines and the immune system",
    "inflation",
    "photosynthesis",
    "the Fourier transform",
    "transformer attention",
]
CHOICES = [
    "renting vs buying a home",
    "Postgres vs MongoDB",
    "monorepo vs polyrepo",
    "REST vs GraphQL",
    "index funds vs picking stocks",
    "Kafka vs RabbitMQ",
    "learning Spanish vs Mandarin for business",
    "serverless vs containers",
]

SUMMARY_INTROS = [
    "Summarise the following in three bullet points:",
    "TL;DR this for me:",
    "Please write a one-paragraph executive summary of these notes:",
    "What are the action items in this document? Who owns each?",
    "Summarise this for a non-technical manager, then list the open risks:",
    "Read this and tell me what decision is being asked of me:",
]
DOC_SENTENCES = [
    "The team reviewed the Q3 roadmap and agreed to push the billing migration to November.",
    "Latency on the checkout service rose from 180 ms to 420 ms at p95 after the 2.4 release.",
    "Marta will own the vendor evaluation and report back by the 14th.",
    "Customers in the EU region reported intermittent login failures between 02:00 and 03:30 UTC.",
    "The root cause was an expired intermediate certificate on one of the three load balancers.",
    "Finance asked for a breakdown of cloud spend by team before the budget review.",
    "We decided not to support the legacy v1 API after March 31, with a migration guide to follow.",
    "Hiring is on track for two backend engineers; the designer role is still open.",
    "The pilot with the logistics partner reduced average delivery time by 11%.",
    "Legal flagged that the new data-retention policy must be approved before launch.",
    "Support ticket volume dropped 23% after the onboarding redesign.",
    "An action item from last week, updating the runbook for failovers, is still outstanding.",
    "Ravi proposed moving nightly batch jobs to a queue-based design to smooth out load.",
    "The board asked for a clearer path to profitability in the next investor update.",
    "Two enterprise customers requested SSO with SCIM provisioning as a condition for renewal.",
    "The A/B test of the new pricing page was inconclusive after two weeks at 50/50 traffic.",
    "Security scans found three medium-severity dependency vulnerabilities, now patched.",
    "The mobile team will freeze features on the 20th to stabilise the 5.0 release.",
    "Warehouse staff asked for better scanner batteries; procurement is getting quotes.",
    "Next review: the first Monday of next month, same time, with the partner team invited.",
]
DOC_HEADERS = [
    "Meeting notes — platform sync",
    "Incident report: login failures (EU)",
    "Weekly update from the operations team",
    "Quarterly business review — draft",
    "Project Falcon status report",
    "Notes from the customer advisory board",
]


def pick(rng: random.Random, xs: list[str]) -> str:
    return rng.choice(xs)


def fill(rng: random.Random, template: str) -> str:
    a, b, c = rng.randint(2, 9), rng.randint(2, 20), rng.randint(3, 8)
    values = dict(
        country=pick(rng, COUNTRIES),
        book=pick(rng, BOOKS),
        event=pick(rng, EVENTS),
        animal=pick(rng, ANIMALS),
        element=pick(rng, ELEMENTS),
        painting=pick(rng, PAINTINGS),
        people=pick(rng, PEOPLE),
        title=pick(rng, TITLES),
        items=pick(rng, ITEMS),
        dup_items=pick(rng, DUP_ITEMS),
        date=pick(rng, DATES),
        person_line=pick(rng, PERSON_LINES),
        long_sentence=pick(rng, LONG_SENTENCES),
        word=pick(rng, WORDS),
        plural=pick(rng, PLURALS),
        adj=pick(rng, ADJS),
        num=rng.choice([3, 5, 10, 20, 50]),
        lang=pick(rng, LANGS),
        a=a,
        b=b,
        c=c,
        s=rng.randint(30, 500),
        p=rng.randint(12, 90),
        d=rng.choice([5, 10, 15, 20, 25]),
        topic=pick(rng, TOPICS),
        character=pick(rng, CHARACTERS),
        twist=pick(rng, TWISTS),
        business=pick(rng, BUSINESSES),
        city=pick(rng, CITIES),
        phrase=pick(rng, PHRASES),
        review=pick(rng, REVIEWS),
        ticket=pick(rng, TICKETS),
        concept=pick(rng, CONCEPTS),
        choice=pick(rng, CHOICES),
    )
    # only {name} slots are filled; other braces (code in prompts) stay as written
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def long_document(rng: random.Random) -> str:
    header = pick(rng, DOC_HEADERS)
    paras = []
    for _ in range(rng.randint(4, 9)):
        paras.append(" ".join(rng.sample(DOC_SENTENCES, rng.randint(3, 6))))
    return f"{pick(rng, SUMMARY_INTROS)}\n\n{header}\n\n" + "\n\n".join(paras)


def build(seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    plan: list[tuple[str, list[str], int]] = [
        ("greeting", GREETINGS, 16),
        ("fact", FACTS, 30),
        ("formatting", FORMATTING, 18),
        ("short_qa", SHORT_QA, 24),
        ("coding", CODING, 28),
        ("debugging", DEBUGGING, 14),
        ("math", MATH, 30),
        ("proof", PROOFS, 12),
        ("system_design", DESIGN, 14),
        ("creative", CREATIVE, 26),
        ("reasoning", REASONING, 16),
        ("translation", TRANSLATION, 12),
        ("extraction", EXTRACTION, 14),
        ("explanation", EXPLAIN, 30),
    ]
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for kind, templates, count in plan:
        made = tries = 0
        while made < count and tries < count * 20:
            tries += 1
            text = fill(
                rng,
                templates[made % len(templates)]
                if tries <= len(templates)
                else pick(rng, templates),
            )
            if text in seen:
                continue
            seen.add(text)
            rows.append({"kind": kind, "prompt": text})
            made += 1
    for _ in range(30):
        rows.append({"kind": "summarization", "prompt": long_document(rng)})
    rng.shuffle(rows)
    return [{"id": f"w{i:03d}", **r} for i, r in enumerate(rows, 1)]


def write(path: Path = OUT) -> int:
    """Write the workload to ``path``; returns the number of prompts."""
    rows = build()
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            row = {"id": r["id"], "prompt": r["prompt"], "kind": r["kind"]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(f"wrote {write(out)} prompts to {out}")


if __name__ == "__main__":
    main()
