"""Prompt templates of the demo workload, one list per kind (``{slot}``s filled by
:func:`_slots.fill`). Written for this package, not taken from any benchmark."""

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
EXPLAIN = [
    "Explain how {concept} works to someone who has never programmed.",
    "What are the pros and cons of {choice}?",
    "Explain {concept} with a simple analogy, then a precise definition.",
    "Compare {choice} for a small team. Which would you recommend and when?",
    "I'm preparing for an interview. Can you quiz me on {concept} with three questions and "
    "then explain the answers?",
    "Write a short study guide on {concept}: key ideas, a worked example, common pitfalls.",
]
