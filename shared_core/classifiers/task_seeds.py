"""Built-in seed examples for the task-route classifier: everyday requests per task type.

The shipped task-type model learned from benchmark prompts (exam questions, coding
problems, dataset templates). Everyday traffic (greetings, quick look-ups, formatting,
translation) looks like none of them, so a small nearest-centroid head over these seeds
is blended in as a prior (see :mod:`.task`). The prompts were written for this project;
none is taken from a benchmark or data set. :class:`SeedIndex` finds a text's nearest
seeds per type over the classifier's hashed features.

Keys are task types: the shipped model's types plus ``chat``, ``formatting`` and
``translation``, which the benchmarks do not have.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from ..features import N_SIGNALS, FeatureExtractor

SEED_EXAMPLES: dict[str, tuple[str, ...]] = {
    "chat": (
        "hi",
        "hello!",
        "hey, how are you?",
        "good morning",
        "thanks!",
        "thank you so much, that helped",
        "ok great",
        "cool, thanks",
        "bye for now",
        "see you tomorrow",
        "nice, that works",
        "lol that's funny",
        "can you help me with something?",
        "are you there?",
        "what can you do?",
        "who are you?",
        "never mind",
        "sounds good to me",
        "perfect, thank you",
        "have a nice weekend",
        "yes please",
        "no, that's fine",
        "I'm bored, talk to me",
        "how's it going?",
    ),
    "knowledge_qa": (
        "What is the capital of Australia?",
        "Who painted the Mona Lisa?",
        "When did the Berlin Wall fall?",
        "How far is the Moon from the Earth?",
        "What year did the first iPhone come out?",
        "Who invented the telephone?",
        "What is the tallest mountain in Africa?",
        "How many bones are in the human body?",
        "What does DNA stand for?",
        "Which planet is closest to the sun?",
        "What's the population of Canada?",
        "What language is spoken in Brazil?",
        "Is a tomato a fruit or a vegetable?",
        "What does HTTP stand for?",
        "Can dogs eat grapes?",
        "How long should I boil an egg?",
        "What is the difference between weather and climate?",
        "What time zone is Chicago in?",
        "What's a good substitute for buttermilk?",
        "How do vaccines work?",
        "Why is the sky blue?",
        "How many players are on a basketball team?",
        "How many continents are there?",
        "What's another word for tired?",
        "What is the opposite of generous?",
        "Give me an overview of how the stock market works.",
        "Write a beginner's guide to budgeting: the basics and common mistakes.",
        "Explain the difference between a virus and a bacterium.",
        "What are the pros and cons of electric cars?",
        "What is inflation?",
        "Explain what a mortgage is in simple terms.",
        "What are the symptoms of dehydration?",
    ),
    "coding": (
        "Write a Python function that checks whether a string is a palindrome.",
        "How do I reverse a list in JavaScript?",
        "Fix this error: TypeError: cannot read properties of undefined (reading 'map')",
        "Write a SQL query that returns the ten most recent orders per customer.",
        "Why does my React component render twice?",
        "Convert this bash loop to Python: for f in *.txt; do wc -l $f; done",
        "Write unit tests for a function that parses dates.",
        "What's the difference between a list and a tuple in Python?",
        "My Docker container exits immediately, how do I debug it?",
        "Implement binary search in Rust.",
        "Refactor this function to avoid the nested loops.",
        "How do I undo the last git commit but keep the changes?",
        "Write a regex that matches email addresses.",
        "Explain this stack trace: NullPointerException at Main.java:12",
        "Create a REST endpoint in FastAPI that returns a list of users.",
        "How do I center a div with CSS?",
        "Write a TypeScript interface for a blog post with tags.",
        "Why is my pandas merge producing duplicate rows?",
        "Add type hints to this Python code.",
        "Write a Go program that reads a file line by line.",
        "What does the 'static' keyword mean in C++?",
        "My build fails with 'module not found', what should I check?",
        "My nginx server returns 502 Bad Gateway, what could cause it?",
        "Why does this loop never terminate? while i < 10: print(i)",
        "My Node app leaks memory under load; how do I find the leak?",
        "Kafka consumer lag keeps growing; how do I troubleshoot it?",
        "My SQL query is slow on a large table; how should I index it?",
        "Two threads deadlock when locking the same mutexes; how do I fix it?",
        "Why does git say my branch has diverged?",
        "The CI pipeline times out on the integration tests; how do I debug it?",
    ),
    "creative_writing": (
        "Write a poem about autumn leaves.",
        "Write a short story about a lighthouse keeper who finds a message in a bottle.",
        "Compose a haiku about morning coffee.",
        "Give me ten name ideas for a bakery.",
        "Write a funny limerick about a forgetful cat.",
        "Write a toast for my sister's wedding.",
        "Come up with a slogan for an eco-friendly water bottle.",
        "Write song lyrics about a road trip with friends.",
        "Write a bedtime story for a five-year-old about a brave turtle.",
        "Write a product description for handmade candles.",
        "Describe a rainy city street at night in vivid prose.",
        "Write the opening paragraph of a mystery novel.",
        "Write a birthday message for my grandfather.",
        "Invent a fantasy creature and describe its habitat.",
        "Write a short dialogue between a robot and a child.",
        "Write a catchy tagline for a fitness app.",
        "Write a sonnet about the ocean.",
        "Write a tweet announcing our new coffee flavour.",
        "Pretend you are a pirate and describe your ship.",
        "Write a love letter from the moon to the sea.",
    ),
    "math": (
        "What is 15% of 240?",
        "Solve for x: 3x + 7 = 22.",
        "A train travels 300 km in 2.5 hours. What is its average speed?",
        "What is the derivative of x^3 sin(x)?",
        "Compute the integral of 1/(1+x^2) from 0 to 1.",
        "If I invest $1,000 at 5% compounded yearly, how much do I have after 10 years?",
        "How many ways can 5 books be arranged on a shelf?",
        "What is the probability of rolling two sixes with two dice?",
        "Find the area of a circle with radius 7 cm.",
        "Simplify (x^2 - 9) / (x - 3).",
        "Prove that the square root of 2 is irrational.",
        "Show that the sum of the first n odd numbers is n squared.",
        "What is the least common multiple of 12 and 18?",
        "A shirt costs $40 after a 20% discount. What was the original price?",
        "Find the eigenvalues of the matrix [[2, 1], [1, 2]].",
        "Convert 0.375 to a fraction.",
        "Prove by induction that 2^n > n for all positive integers n.",
        "How many prime numbers are there below 50?",
        "Prove that every bounded monotone sequence converges.",
        "Show that the composition of two injective functions is injective.",
        "Prove that there are infinitely many primes.",
        "Prove that a subgroup of a cyclic group is cyclic.",
    ),
    "reasoning": (
        "If all cats are mammals and some mammals are black, must some cats be black? Explain.",
        "Three friends have different pets; Ann does not own the dog, Ben owns the fish. "
        "Who owns the cat?",
        "A bat and a ball cost $1.10 together; the bat costs $1 more. What does the ball cost?",
        "Should our startup build its own billing system or buy one? Weigh the trade-offs.",
        "Which is the better long-term investment for me, and why: paying off debt or investing?",
        "Plan a three-month study schedule for learning linear algebra with two hours a week.",
        "What are the risks of migrating our database during peak season, and how would you "
        "reduce them?",
        "Analyse why sales might have dropped after we raised prices, and how to test each cause.",
        "Five people stand in a line; Carol is ahead of Dan but behind Eve. Who could be first?",
        "Is this argument valid: if it rains the grass is wet; the grass is wet; so it rained?",
        "How would you design a caching layer for a global news site with millions of readers?",
        "Compare microservices and a monolith for a team of five engineers.",
        "Work out a fair way to split rent between roommates with different room sizes.",
        "Design an experiment to find out whether a new onboarding flow improves retention.",
        "Evaluate this argument and point out any logical fallacies.",
        "A farmer must ferry a wolf, a goat and a cabbage across a river. How?",
        "Which conclusion follows from these premises, and why?",
        "Our churn doubled last quarter; list possible causes and how to tell them apart.",
        "Weigh the options and recommend one: hire a contractor or train an employee?",
    ),
    "summarization": (
        "Summarize this article in three sentences.",
        "Give me a TL;DR of the following email thread.",
        "Summarise these meeting notes and list the decisions made.",
        "What are the key points of this report?",
        "Condense this paragraph into one sentence.",
        "Write an executive summary of the document below.",
        "Summarize the main arguments of this essay.",
        "Give me the gist of this customer feedback in bullet points.",
        "Summarise the plot of this chapter.",
        "What are the main takeaways from this transcript?",
        "Briefly summarize the changes described in these release notes.",
        "Summarise this research abstract for a general audience.",
    ),
    "extraction": (
        "Extract all the dates mentioned in this text.",
        "List the names of the people in this paragraph.",
        "Pull out the phone numbers and email addresses from this message.",
        "What is the total amount on this invoice?",
        "Find all the product names and their prices in this list.",
        "Extract the action items from these notes.",
        "Classify this review as positive, negative or neutral.",
        "Is this email spam or not spam?",
        "Tag this message with a topic: sports, politics or technology.",
        "Which category does this support request belong to: billing, shipping or account?",
        "Detect the language of this sentence.",
        "Extract the city and country from this address.",
    ),
    "formatting": (
        "Turn this list into a markdown table.",
        "Convert this text to JSON with fields name and age.",
        "Format these names as a bulleted list.",
        "Put this sentence in title case.",
        "Sort these words alphabetically: pear, apple, mango, kiwi.",
        "Fix the spelling and grammar in this sentence.",
        "Make this paragraph shorter.",
        "Rewrite this email to sound more polite.",
        "Convert 3:45 pm to 24-hour time.",
        "Remove the duplicates from this list.",
        "Turn these notes into a numbered list.",
        "Change this date to the format YYYY-MM-DD: March 5, 2024.",
        "Make this text all lowercase.",
        "Rewrite this in plain English.",
        "Convert this CSV row into a YAML mapping.",
        "Reformat this address on one line.",
    ),
    "translation": (
        "Translate 'good night' into Italian.",
        "How do you say 'thank you' in Japanese?",
        "Translate this sentence into German: the store opens at nine.",
        "What does 'merci beaucoup' mean?",
        "Translate this paragraph into Spanish.",
        "How do I say 'where is the bathroom' in Portuguese?",
        "Translate the following menu into English.",
        "What is 'apple' in Korean?",
        "Translate this email into French, keeping it formal.",
        "What does the Dutch word 'gezellig' mean?",
    ),
}
"""Seed prompts per task type (written for this project, not from any data set)."""

SEED_ONLY_TYPES: tuple[str, ...] = ("chat", "formatting", "translation")
"""Types the shipped model does not predict; only the seed head gives them probability."""


KNN = 2
"""Seed neighbours averaged per type."""

_seed_lock = threading.Lock()
_seed_cache: dict[tuple[str, int], SeedIndex] = {}


def embed(fx: FeatureExtractor, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Sparse n-gram vector of ``text`` without the signal block, L2-normalised."""
    idx, val = fx.transform_one(text)
    keep = idx >= N_SIGNALS
    idx, val = idx[keep], val[keep]
    norm = float(np.linalg.norm(val))
    return idx, (val / norm if norm > 0 else val)


def centroids(fx: FeatureExtractor, groups: Sequence[Sequence[str]]) -> np.ndarray:
    """Unit-norm centroid per group of texts, shape ``(fx.dim, len(groups))``."""
    C = np.zeros((fx.dim, len(groups)), dtype=np.float32)
    for j, texts in enumerate(groups):
        for t in texts:
            idx, val = embed(fx, t)
            np.add.at(C[:, j], idx, val)
        C[:, j] /= max(1e-9, float(np.linalg.norm(C[:, j])))
    return C


class SeedIndex:
    """Nearest-neighbour similarities of a text to seed prompts, per task type.

    Only the hash buckets the seeds use are stored (a compact ``buckets x seeds`` matrix),
    so a lookup costs one gather and one small product.
    """

    def __init__(self, fx: FeatureExtractor, seeds: Mapping[str, Sequence[str]]) -> None:
        self.types = [t for t, texts in seeds.items() if texts]
        rows = [(j, embed(fx, t)) for j, ty in enumerate(self.types) for t in seeds[ty]]
        buckets = np.unique(np.concatenate([idx for _, (idx, _) in rows]))
        self._pos = np.full(fx.dim, -1, dtype=np.int32)
        self._pos[buckets] = np.arange(len(buckets), dtype=np.int32)
        self._E = np.zeros((len(buckets), len(rows)), dtype=np.float32)
        for k, (_, (idx, val)) in enumerate(rows):
            self._E[self._pos[idx], k] = val
        owner = np.array([j for j, _ in rows])
        # (types x slots) columns of each type's seeds, padded with a dummy all-zero column
        # (a type with fewer than KNN seeds repeats them, so its mean is not diluted)
        width = max(KNN, int(np.bincount(owner).max())) if len(owner) else KNN
        self._slots = np.full((len(self.types), width), len(rows), dtype=np.int64)
        for j in range(len(self.types)):
            mine = list(np.flatnonzero(owner == j))
            if 0 < len(mine) < KNN:
                mine = (mine * KNN)[:KNN]
            self._slots[j, : len(mine)] = mine
        self._k = KNN

    def similarities(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        """Per type: the mean cosine similarity of the text to its ``KNN`` nearest seeds."""
        pos = self._pos[idx]
        hit = pos >= 0
        sims = np.zeros(self._E.shape[1] + 1)
        if hit.any():
            sims[:-1] = val[hit] @ self._E[pos[hit]]
        grid = sims[self._slots]
        top = -np.partition(-grid, self._k - 1, axis=1)[:, : self._k]
        return top.mean(axis=1)


def seed_index(fx: FeatureExtractor, seeds: Mapping[str, Sequence[str]]) -> SeedIndex:
    """The seed index; the built-in seeds are indexed once per feature space."""
    if seeds is not SEED_EXAMPLES:
        return SeedIndex(fx, seeds)
    key = (repr(sorted(fx.config().items())), id(SEED_EXAMPLES))
    with _seed_lock:
        hit = _seed_cache.get(key)
        if hit is None:
            hit = SeedIndex(fx, seeds)
            _seed_cache[key] = hit
        return hit
