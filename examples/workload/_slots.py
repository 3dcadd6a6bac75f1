"""Values for the templates' ``{slot}``s, and the pieces of the long pasted documents.

Everything here draws from the caller's seeded ``random.Random``, in a fixed order, so the
workload is the same on every run."""

from __future__ import annotations

import random
import re

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
WORDS = ["irregardless", "conversate", "snuck", "funner"]
PLURALS = ["octopus", "cactus", "moose", "syllabus", "fish"]
ADJS = ["happy", "quick", "important", "difficult", "beautiful"]
LANGS = ["Python", "Java", "Go", "Rust", "C++", "TypeScript"]
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
PHRASES = [
    "Where is the train station?",
    "I would like a table for two, please.",
    "Thank you for your quick reply.",
    "The meeting has been moved to Thursday.",
    "Could you send me the invoice again?",
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
