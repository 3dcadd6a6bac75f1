"""Slot values for the ladder seed templates (written for this project)."""

from __future__ import annotations

_EMAILS = [
    "Hi Sam,\n\nThanks for your time on the call yesterday. As discussed, we'd like to move the kickoff to "
    "Thursday 14 March at 10:00 in the Lisbon office. Please bring the signed NDA and the draft budget. "
    "If anything changes you can reach me on +44 20 7946 0321 or just reply here.\n\nBest regards,\n"
    "Priya Raman\nHead of Partnerships, Northwind Logistics",
    "Dear customer,\n\nWe're writing to let you know that your order #58213 has shipped and should arrive "
    "within 3-5 business days. Your tracking number is 1Z999AA10123456784. If you have questions, call our "
    "support line at (555) 014-2298, Monday to Friday 9am-5pm.\n\nKind regards,\nThe Brightside Home Team",
    "Hey team,\n\nQuick reminder that the quarterly review is on 2 June at 3pm, room 4B. Marta will present "
    "the sales numbers, Jonas the hiring plan. Lunch is provided. Questions to me at 0176 5550 1234.\n\n"
    "Cheers,\nLeo Fischer",
    "Hello,\n\nI am contacting you regarding the apartment listing on Rue Oberkampf. Is it still available "
    "from September? I'm a graduate student and can provide references. My number is 06 12 34 56 78.\n\n"
    "Thank you,\nAmélie Dubois",
]
_ARTICLES = [
    "City Council Approves New Bike Lanes\n\nThe city council voted 7-2 on Tuesday to build 40 kilometres "
    "of protected bike lanes over the next three years. Supporters said the lanes would cut traffic deaths "
    "and encourage commuting by bike; opponents worried about lost parking. Construction on the first "
    "segment, along Harbour Street, starts in May. The project will cost an estimated 18 million, mostly "
    "paid by a regional transport grant.",
    "Why Sleep Matters More Than You Think\n\nAdults who sleep less than seven hours a night are more likely "
    "to report health problems, according to a national survey. Researchers say consistent bedtimes, less "
    "screen time in the evening, and a cool, dark bedroom help. Caffeine after 2pm can also disrupt sleep "
    "for many people. The survey included 12,000 respondents across all age groups.",
    "Local Bakery Wins National Award\n\nA family-run bakery in Millbrook has won the national sourdough "
    "award, beating 300 entries. Owner Rosa Lind started baking in her garage eight years ago. The bakery "
    "now employs 14 people and plans to open a second shop next spring. Lind credits her 60-year-old "
    "starter, inherited from her grandmother.",
    "Quarterly Update\n\nRevenue grew 12% year on year to 4.2 million, driven by the new subscription tier. "
    "Churn fell slightly to 2.8%. Hiring was slower than planned, with 6 of 10 open roles filled. Next "
    "quarter we focus on the enterprise pilot and on reducing onboarding time from 14 to 7 days.",
]
_INVOICES = [
    "INVOICE #INV-2024-0917\nDate: 03/09/2024\nBill to: Harbor Cafe Ltd, 12 Pier Rd\n\n"
    "Espresso beans 5kg x2 ... 180.00\nMilk frother repair ... 95.00\nDelivery ... 15.00\n"
    "Subtotal 290.00\nVAT 20% 58.00\nTOTAL DUE 348.00 EUR\nPayment within 30 days to IBAN DE89 3704 0044 0532 0130 00",
    "Invoice 4471 | Client: Greenleaf Studio | Issued 15 Jan 2025 | Due 14 Feb 2025\n"
    "Website redesign (40h @ 85) 3,400.00\nHosting, 12 months 240.00\nTotal: 3,640.00 USD",
]
_NOTES = [
    "- Anna: finish the onboarding doc by Fri\n- budget review pushed to next week (Tom)\n- decided: move to "
    "weekly releases\n- Li to ask legal about the data retention question\n- next sync Tuesday",
    "mtg w/ vendor: price up 8% from July; they can do net-60; Raj wants a 2-yr deal; need sign-off from "
    "finance; Sara to compare 2 other quotes; decision by end of month",
    "Business plan: subscription meal kits for students, 39/month, target 2,000 subscribers in year 1, "
    "marketing via campus ambassadors, kitchen rented by the hour, break-even at 1,400 subscribers.",
]
_SNIPPETS = [
    "for i in range(len(xs)):\n    if xs[i] % 2 == 0:\n        print(xs[i])",
    "const total = items.reduce((sum, it) => sum + it.price * it.qty, 0);",
    "SELECT name, COUNT(*) FROM orders GROUP BY name HAVING COUNT(*) > 5;",
    "df = df.dropna(subset=['email']).drop_duplicates('email')",
    "git rebase -i HEAD~3",
    "with open('data.txt') as f:\n    lines = [l.strip() for l in f if l.strip()]",
]
_SNIPPETS_LONG = [
    "def load_users(path):\n    users = []\n    f = open(path)\n    for line in f:\n        parts = line.split(',')\n"
    "        users.append({'name': parts[0], 'age': int(parts[1]), 'email': parts[2]})\n    return users\n\n"
    "def adults(path):\n    users = []\n    f = open(path)\n    for line in f:\n        parts = line.split(',')\n"
    "        if int(parts[1]) >= 18:\n            users.append(parts[0])\n    return users",
    "async function fetchAll(ids) {\n  const out = [];\n  ids.forEach(async (id) => {\n    const r = await "
    "fetch(`/api/items/${id}`);\n    out.push(await r.json());\n  });\n  return out;\n}\n\nfetchAll([1,2,3])"
    ".then(items => render(items));",
    "class Cache:\n    def __init__(self):\n        self.data = {}\n    def get(self, key, default=[]):\n"
    "        if key not in self.data:\n            self.data[key] = default\n        return self.data[key]\n\n"
    "c = Cache()\nc.get('a').append(1)\nprint(c.get('b'))",
]
_TRACEBACKS = [
    "Traceback (most recent call last):\n  File \"app.py\", line 42, in <module>\n    main()\n  File \"app.py\", "
    "line 37, in main\n    total += row['amount']\nTypeError: unsupported operand type(s) for +=: 'int' and 'str'",
    "Traceback (most recent call last):\n  File \"sync.py\", line 88, in <module>\n    client.upload(batch)\n"
    "  File \"sync.py\", line 51, in upload\n    resp.raise_for_status()\nrequests.exceptions.HTTPError: 413 Payload Too Large",
    "Exception in thread \"main\" java.lang.NullPointerException\n\tat com.shop.OrderService.total("
    "OrderService.java:58)\n\tat com.shop.Main.main(Main.java:14)",
]

SLOTS: dict[str, list[str]] = {
    "animal": ["cat", "dog", "octopus", "penguin", "owl", "dolphin", "fox"],
    "food": ["pizza", "grapes", "chocolate", "avocado", "sushi", "cheese"],
    "country": ["France", "Japan", "Brazil", "Kenya", "Canada", "Australia", "Portugal", "India",
                "Germany", "Mexico", "Norway", "Vietnam", "Spain", "Egypt"],
    "city": ["Tokyo", "Lisbon", "Chicago", "Nairobi", "Berlin", "São Paulo", "Mumbai", "Toronto"],
    "book": ["Pride and Prejudice", "1984", "One Hundred Years of Solitude", "Don Quixote",
             "The Little Prince", "Moby-Dick", "Things Fall Apart"],
    "painting": ["Mona Lisa", "Starry Night", "Girl with a Pearl Earring", "The Scream"],
    "event": ["the fall of the Berlin Wall", "the first Moon landing", "the French Revolution",
              "World War I", "the Chernobyl disaster"],
    "landmark": ["the Eiffel Tower", "Mount Everest", "the Burj Khalifa", "the Statue of Liberty"],
    "person": ["Marie Curie", "Albert Einstein", "Frida Kahlo", "Nelson Mandela", "Ada Lovelace"],
    "sport": ["basketball", "football", "volleyball", "rugby", "ice hockey"],
    "element": ["gold", "sodium", "iron", "potassium", "silver", "lead"],
    "term": ["photosynthesis", "inflation", "a haiku", "GDP", "an API", "a mortgage", "metabolism",
             "a sonnet", "cloud storage", "a podcast"],
    "acronym": ["NASA", "HTML", "GDPR", "ASAP", "FAQ", "CPU", "DNA", "VPN"],
    "scary_term": ["distributed system", "quantum entanglement", "zero-knowledge proof", "blockchain",
                   "neural network", "Byzantine fault tolerance", "CRISPR", "black hole",
                   "differential privacy", "Kubernetes", "general relativity", "eventual consistency"],
    "unit_small": ["centimetres", "inches", "grams", "millilitres", "minutes", "feet", "ounces"],
    "unit_big": ["inches", "feet", "kilograms", "litres", "hours", "miles", "pounds"],
    "unit_a": ["km", "miles", "kg", "pounds", "litres", "gallons", "cups", "metres", "feet", "mph"],
    "unit_b": ["miles", "km", "pounds", "kg", "gallons", "litres", "ml", "feet", "metres", "km/h"],
    "currency_a": ["dollars", "euros", "yen", "pounds"],
    "currency_b": ["euros", "dollars", "rupees", "pesos"],
    "n": ["3", "12", "25", "48", "100", "7", "250", "64", "15", "1.5"],
    "m": ["4", "9", "6", "13", "20", "8", "3"],
    "k": ["2", "3", "4", "5", "6", "7"],
    "pct": ["5", "15", "20", "7", "12", "30"],
    "misspelled": ["definately", "recieve", "accomodate", "seperate", "occured", "neccessary"],
    "word": ["definitely", "receive", "accommodate", "separate", "ubiquitous", "serendipity"],
    "noun": ["cactus", "mouse", "child", "analysis", "sheep", "criterion"],
    "adjective": ["happy", "big", "important", "tired", "quick", "beautiful"],
    "lower_title": ["the lord of the rings", "a tale of two cities", "how to train your dragon"],
    "word_list": ["banana, apple, cherry, mango", "Paris, Oslo, Cairo, Lima, Bern",
                  "milk eggs bread butter"],
    "upper_phrase": ["HELLO WORLD", "PLEASE CALL ME BACK", "MEETING AT NOON"],
    "phrase": ["good morning", "where is the nearest pharmacy", "thank you very much", "I'm hungry",
               "how much does this cost", "see you tomorrow"],
    "language": ["Spanish", "French", "German", "Japanese", "Italian", "Portuguese", "Hindi", "Chinese"],
    "foreign_phrase": ["bon appétit", "carpe diem", "danke schön", "hasta luego", "arigatou"],
    "review": ["Absolutely loved it, would buy again!", "Broke after two days. Waste of money.",
               "It's fine, does the job.", "Delivery was late but the product is great."],
    "review2": ["Terrible customer service.", "Best headphones I've owned.", "Meh, average at best."],
    "review3": ["Five stars, fast shipping.", "Not as described.", "Okay for the price."],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "item": ["shoes", "a jacket", "headphones", "a sofa", "a phone case"],
    "hexnum": ["1F", "FF", "A0", "3C", "7B"],
    "code_lang": ["Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C#", "Ruby"],
    "http_code": ["404", "500", "403", "301", "429"],
    "email": _EMAILS,
    "article": _ARTICLES,
    "article2": list(reversed(_ARTICLES)),
    "email2": list(reversed(_EMAILS)),
    "article_short": [a.split("\n\n", 1)[1][:260] for a in _ARTICLES],
    "invoice": _INVOICES,
    "notes": _NOTES,
    "complaint": ["My order arrived broken and nobody answered my two emails. I want my money back.",
                  "You charged me twice this month. Fix it now please."],
    "relation": ["manager", "team", "friend", "teacher", "client"],
    "event_small": ["the standup", "dinner", "the workshop", "practice"],
    "appliance": ["heating", "dishwasher", "leaking tap", "broken window"],
    "job": ["data analyst", "product manager", "nurse", "software engineer", "teacher", "designer"],
    "concept": ["compound interest", "supply and demand", "the greenhouse effect", "machine learning",
                "vaccines", "recursion", "a VPN", "index funds", "photosynthesis"],
    "pair_a": ["a savings account", "TCP", "SQL", "renting", "a lake", "Python lists", "a virus"],
    "pair_b": ["a money market fund", "UDP", "NoSQL", "buying", "a pond", "tuples", "bacteria"],
    "everyday_tech": ["Wi-Fi", "a microwave", "GPS", "contactless payment", "noise-cancelling headphones"],
    "one_liner": ["[x for x in nums if x > 0]", "arr.map(x => x * 2)", "chmod 755 script.sh",
                  "SELECT DISTINCT city FROM users;"],
    "snippet": _SNIPPETS,
    "snippet_long": _SNIPPETS_LONG,
    "traceback": _TRACEBACKS,
    "regex": [r"^\d{3}-\d{4}$", r"[A-Z][a-z]+", r"^\S+@\S+\.\S+$", r"\b\d{1,2}/\d{1,2}/\d{4}\b"],
    "regex_target": ["US zip codes", "email addresses", "dates like 2024-05-31", "hex colour codes"],
    "error_line": ["ModuleNotFoundError: No module named 'requests'", "SyntaxError: unexpected EOF",
                   "CORS policy: No 'Access-Control-Allow-Origin' header", "Permission denied (publickey)",
                   "IndexError: list index out of range"],
    "product": ["bamboo cutting board", "wireless charger", "yoga mat", "insulated water bottle",
                "desk lamp", "kids' rain jacket"],
    "business": ["coffee shop", "dog-walking service", "bike repair shop", "bookstore", "bakery"],
    "hobby": ["hiking", "chess", "baking", "photography", "gardening"],
    "casual": ["hey can u send me the file asap thx", "sorry cant make it, something came up",
               "the numbers look kinda off, can u check"],
    "blunt": ["Send the report now.", "Your code is wrong, redo it.", "No, we won't refund you."],
    "legalese": ["The Lessee shall indemnify and hold harmless the Lessor from any and all claims arising "
                 "out of the Lessee's use of the Premises, save for those caused by the Lessor's gross "
                 "negligence, notwithstanding any provision herein to the contrary.",
                 "Supplier's aggregate liability under this Agreement shall not exceed the fees paid in the "
                 "twelve (12) months preceding the claim, except for breaches of Section 9 (Confidentiality)."],
    "excel_task": ["sum a column only if the cell next to it says 'paid'", "remove duplicates from a list",
                   "look up a price by product code", "count cells that contain text"],
    "small_code_task": ["reverse a string", "read a JSON file", "sort a dictionary by value",
                        "get the current date", "remove duplicates from a list"],
    "dish": ["pancakes", "tomato soup", "guacamole", "fried rice", "a green salad"],
    "occasion": ["birthday party", "team offsite", "date night", "kid's sleepover"],
    "topic": ["remote work", "urban gardening", "personal finance for students", "electric cars",
              "learning a language as an adult", "sleep and productivity", "heat pumps"],
    "code_task": ["parses ISO-8601 durations like 'P3DT4H' into seconds",
                  "merges overlapping time intervals",
                  "validates IBAN numbers", "computes the median of a stream of numbers",
                  "implements an LRU cache with TTL expiry",
                  "diffs two JSON documents and reports changed paths"],
    "code_task_noun": ["a rate-limited HTTP client with retries and exponential backoff",
                       "a trie with prefix search and deletion", "a CSV-to-Parquet converter",
                       "a thread-safe connection pool", "a markdown-to-HTML converter for headings and lists"],
    "app_kind": ["todo app", "expense tracker", "chat widget", "URL shortener", "inventory dashboard"],
    "framework": ["Flask", "FastAPI", "Django", "Express", "Spring Boot", "Next.js", "Rails"],
    "app_spec": ["users can log in, add items, and filter by date", "with a SQLite database and CSV export",
                 "with real-time updates over websockets"],
    "script_task": ["renames photos by their EXIF date", "finds duplicate files by hash in a folder tree",
                    "backs up a Postgres database to S3 and rotates old backups",
                    "tails a log file and alerts on error spikes"],
    "resource": ["a library's books and loans", "a clinic's appointments", "a shop's products"],
    "ui_widget": ["a date-range picker", "an autocomplete search box", "a sortable, paginated table"],
    "perf_symptom": ["page loads take 6 seconds and the database CPU is at 90%",
                     "memory grows until the worker is killed every few hours",
                     "p99 latency jumped from 200ms to 3s after the last deploy"],
    "slow_sql": ["SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE "
                 "LOWER(c.email) LIKE '%@gmail.com' ORDER BY o.created_at DESC LIMIT 50;"],
    "sales": ["Jan 120k, Feb 118k, Mar 131k, Apr 96k, May 140k, Jun 151k",
              "Q1 2.1M, Q2 2.4M, Q3 1.7M, Q4 2.9M"],
    "howto_topic": ["insulating an old house", "starting a vegetable garden", "preparing for a marathon",
                    "switching careers into data science"],
    "story_premise": ["a night-shift nurse who finds a letter in a library book",
                      "a robot learning to cook", "two rival chess players stuck in a snowstorm"],
    "use_case": ["an e-commerce backend", "a mobile app's offline sync", "analytics dashboards"],
    "constraints": ["families sit together, two guests must not share a table, tables seat 8",
                    "vegetarians near the buffet, kids' table near parents"],
    "dataset": ["customer orders with some missing prices", "hourly sensor readings with gaps",
                "survey answers with free-text fields"],
    "metric": ["median order value", "weekly active users", "the 95th percentile latency"],
    "deep_topic": ["the TCP congestion control algorithm", "how a compiler does register allocation",
                   "mRNA vaccines", "the Federal Reserve's interest-rate decisions"],
    "theorem": ["there are infinitely many primes", "the square root of 2 is irrational",
                "every continuous function on a closed interval is bounded",
                "the sum of the reciprocals of the primes diverges",
                "a group of prime order is cyclic", "e is irrational",
                "every finite integral domain is a field", "the Cauchy-Schwarz inequality holds in any inner product space"],
    "olympiad": ["Find all positive integers n such that n^2 + 2^n is a perfect square.",
                 "Prove that for positive reals x, y, z, (x+y)(y+z)(z+x) >= 8xyz, and find when equality holds.",
                 "How many ways can a 2x10 board be tiled with dominoes and L-trominoes? Prove your recurrence.",
                 "Prove that for every n there is a multiple of n whose decimal digits are only 0s and 1s."],
    "big_system": ["a global ride-hailing dispatch system", "a multi-region payment ledger",
                   "a video streaming platform like YouTube", "a real-time collaborative document editor",
                   "a feature store for machine learning", "a hospital records system with patient portal access"],
    "scale": ["100 million daily users", "1 million writes per second", "five regions with strict latency SLOs"],
    "research_q": ["intermittent fasting and long-term weight loss", "the effect of minimum wage increases on employment",
                   "screen time and adolescent mental health", "microplastics and human health",
                   "four-day work weeks and productivity", "large language models' reasoning abilities"],
    "sci_puzzle": ["If all the ice on Greenland melted, how much would sea level rise, and how would the Earth's rotation change?",
                   "Estimate how much energy it takes to boil off Lake Geneva and compare with world annual energy use.",
                   "Why does a spinning top not fall over, and when does it start to precess?"],
    "policy_change": ["our pricing page", "the onboarding flow in March", "the city's speed limit to 30 km/h"],
    "outcome": ["conversions", "retention", "hospital admissions"],
    "dist_system": ["Kafka-based event pipeline", "microservices mesh with 40 services", "Cassandra cluster"],
    "dist_symptom": ["about 0.1% of events are processed twice and some are lost after a broker failover",
                     "requests time out in bursts every 17 minutes across unrelated services",
                     "reads return stale data for up to a minute after a node rejoins"],
    "lockfree_struct": ["MPMC queue", "SPSC ring buffer", "hash map", "stack with hazard pointers"],
    "sys_lang": ["C++", "Rust", "C", "Go"],
    "mem_model": ["C++11", "Rust/C++20", "acquire-release"],
    "lock_a": ["the session mutex", "the cache lock"],
    "lock_b": ["the database pool lock", "the metrics lock"],
    "agent_goal": ["migrate a 500k-line Java monolith to services", "audit our cloud spend and cut it by 30%",
                   "build and publish a market analysis of the EV charging industry",
                   "triage and fix all flaky tests in the repository"],
}
