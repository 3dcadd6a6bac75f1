"""Light asks over heavy material, and expert requests across many fields (written for this project).

Long pasted material (code, logs, tables, articles) with a light ask stays on the ask's level:
explaining or summarising pasted code is medium, fixing or redesigning it is complex. Frontier
requests come from many fields, not only computing.
"""

from __future__ import annotations

SEEDS_EXTRA: list[tuple[int, str, str]] = [
    (1, "long_easy_lookup", "{table}\n\nWhich row has the highest value? Just the name."),
    (1, "long_easy_lookup", "{log}\n\nWhat time did the first error happen?"),
    (1, "long_easy_lookup", "{code_block}\n\nWhat language is this code written in?"),
    (1, "long_easy_lookup", "{code_block}\n\nWhat is the name of the function here?"),
    (1, "formatting", "Sort these numbers from smallest to largest: {numbers}"),
    (1, "formatting", "Put a comma between these words: {word_list}"),
    (1, "spelling", "Check the spelling: '{misspelled_sentence}'"),
    (1, "sentiment", "Is the tone of this message angry, neutral or happy? '{review}'"),
    (1, "capitalization", "write this in ALL CAPS: {lower_title}"),
    (1, "sentiment", "{review} <- positive or negative?"),
    (2, "explain_code", "{code_block}\n\nWhat does this code do? Explain it briefly for a junior developer."),
    (2, "explain_code", "Explain in plain English what this function returns and when:\n\n{code_block}"),
    (2, "explain_code", "Add comments to this code explaining each step (don't change the logic):\n\n{code_block}"),
    (2, "explain_error", "{log}\n\nWhat do these log lines mean, in short?"),
    (2, "summarize", "{table}\n\nDescribe what this table shows in two or three sentences."),
    (2, "summarize", "{log}\n\nSummarise what happened in this log in a few bullet points."),
    (2, "extract_json", "{table}\n\nConvert this table to a JSON array of objects."),
    (2, "extract", "{log}\n\nList every distinct error message in this log."),
    (2, "fill_template", "Fill this out using the details below.\nTemplate: 'Dear [name], your appointment is on [date] at [time] with [doctor].'\nDetails: {person}, {weekday} 10:30, Dr. Silva."),
    (2, "fill_template", "Complete the job ad template for a {job}: Title / Location / Responsibilities (3 bullets) / Requirements (3 bullets)."),
    (2, "rewrite_tone", "{email}\n\nRewrite this email to be shorter and more formal."),
    (2, "translate_text", "Translate this email into {language}, keep the formatting:\n\n{email}"),
    (3, "code_generation", "{code_block}\n\nRewrite this to run 10x faster on large inputs, keep the behaviour, and add benchmarks and tests."),
    (3, "debugging", "{log}\n\nOur service produced these logs before crashing. Find the root cause and propose a fix with code."),
    (3, "debugging", "{code_block}\n\nThis sometimes returns wrong results. Find the bug, explain it, fix it and add a regression test."),
    (3, "analysis", "{table}\n\nAnalyse this data: trends, outliers, likely causes, and what you'd investigate next. Show calculations."),
    (3, "code_refactor", "{code_block}\n\nPort this to {code_lang} idiomatically, with error handling and tests."),
    (4, "research_synthesis", "Critically review the evidence on {research_q2}: the landmark studies, their designs and effect sizes, replication failures, and what a careful expert would conclude."),
    (4, "scientific_reasoning", "{hard_science}"),
    (4, "proof", "{hard_proof}"),
    (4, "system_design", "Design {hard_design}. Go deep on the hardest part, quantify the trade-offs, and say what you'd prototype first."),
    (4, "research_programme", "As a principal investigator, outline a research programme on {research_q2}: aims, hypotheses, study designs, power calculations, and threats to validity."),
    (4, "agent_planning", "Design the plan and guardrails for an autonomous agent that will {agent_goal2} over several weeks: sub-goals, tools, verification, budget limits, escalation to humans, and failure recovery."),
    (4, "threat_model", "Threat-model {hard_design} assuming a well-funded attacker with one insider: attack trees, the top five risks with likelihood and impact, and concrete mitigations."),
]

SLOTS_EXTRA: dict[str, list[str]] = {
    "lower_sentence": ["i saw mr. jones in london on monday", "we flew to new york with aunt rosa in july"],
    "word_pair": ["'their' or 'there'", "'then' or 'than'", "'lose' or 'loose'"],
    "blank_sentence": ["I left my keys over ___.", "She is taller ___ me.", "Don't ___ your ticket."],
    "spell_clue": ["a doctor who treats children", "the fear of spiders", "a person who studies birds"],
    "small_measure": ["teaspoons", "tablespoons", "ounces", "millilitres"],
    "big_measure": ["a cup", "half a cup", "a pint", "a tablespoon"],
    "chatty_tail": ["my measuring spoons are lost lol", "baking right now", "quick one"],
    "table": [
        "region | q1 | q2 | q3\nNorth | 120 | 135 | 90\nSouth | 98 | 101 | 130\nEast | 143 | 150 | 149\nWest | 77 | 80 | 85",
        "product,units,returns\nkettle,540,12\ntoaster,310,40\nblender,220,5\nmixer,180,9",
        "date        visitors  signups\n2024-05-01  1200      40\n2024-05-02  1350      38\n2024-05-03  900       51",
    ],
    "log": [
        "2024-06-01 10:02:11 INFO  worker started pid=412\n2024-06-01 10:02:15 WARN  cache miss rate 40%\n"
        "2024-06-01 10:03:02 ERROR db timeout after 30000ms (pool=20 busy=20)\n2024-06-01 10:03:05 ERROR "
        "request /orders failed: upstream timeout\n2024-06-01 10:03:40 INFO  pool recovered",
        "[12:00:01] GET /api/users 200 12ms\n[12:00:02] POST /api/login 401 8ms\n[12:00:02] POST /api/login 401 9ms\n"
        "[12:00:03] POST /api/login 429 1ms\n[12:00:09] GET /api/health 200 2ms",
    ],
    "code_block": [
        "```python\ndef top_customers(orders, n=5):\n    totals = {}\n    for o in orders:\n        totals[o['customer']] = "
        "totals.get(o['customer'], 0) + o['amount']\n    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)[:n]\n```",
        "```javascript\nfunction debounce(fn, ms) {\n  let t;\n  return (...args) => {\n    clearTimeout(t);\n    t = "
        "setTimeout(() => fn(...args), ms);\n  };\n}\n```",
        "```go\nfunc Chunk(xs []int, size int) [][]int {\n\tvar out [][]int\n\tfor size < len(xs) {\n\t\txs, out = "
        "xs[size:], append(out, xs[0:size:size])\n\t}\n\treturn append(out, xs)\n}\n```",
        "```sql\nSELECT c.name, SUM(o.total) AS spend\nFROM customers c JOIN orders o ON o.customer_id = c.id\n"
        "WHERE o.created_at >= now() - interval '90 days'\nGROUP BY c.name ORDER BY spend DESC LIMIT 20;\n```",
    ],
    "numbers": ["42, 7, 19, 3, 88", "3.5, -1, 0, 12, 7.25", "100, 20, 300, 40"],
    "misspelled_sentence": ["I definately recieved the pakage yesterday.", "Their going to the libary tommorow."],
    "research_q2": [
        "the replication crisis in social priming", "growth mindset interventions in schools",
        "dietary saturated fat and cardiovascular mortality", "ultra-processed foods and obesity",
        "the effect of remote work on innovation", "scaling laws and emergent abilities in language models",
        "the long-run effects of early-childhood education programmes",
    ],
    "hard_science": [
        "Estimate from first principles the maximum height a tree can grow, considering water transport by cohesion-tension and mechanical buckling, and compare with the tallest redwoods.",
        "Why do we see a specific linewidth in the hydrogen 21 cm line from galaxies, and what does its broadening tell us about dark matter? Derive the key relations.",
        "A new drug reduces LDL by 50% but a large trial shows no drop in heart attacks. Lay out every mechanism that could explain it and the studies that would discriminate between them.",
        "Explain quantitatively why the efficiency of silicon solar cells is capped near 33% (Shockley-Queisser) and which approaches can beat it, with their own limits.",
    ],
    "hard_proof": [
        "Prove that every bounded sequence of real numbers has a convergent subsequence, without assuming compactness results.",
        "Show that the group of rotations of the cube is isomorphic to S4, with a complete argument.",
        "Prove that a graph is bipartite if and only if it has no odd cycle, and give an algorithm with its correctness proof.",
        "Prove that there is no continuous bijection from the circle to the real line.",
        "Prove Hall's marriage theorem and derive König's theorem from it.",
    ],
    "hard_design": [
        "a national electronic voting system with end-to-end verifiability",
        "a planet-scale object store with eleven nines of durability",
        "a low-latency trading gateway that must never double-submit an order",
        "a privacy-preserving contact-tracing system for a population of 50 million",
        "the control software architecture for a fleet of 10,000 delivery drones",
    ],
    "agent_goal2": [
        "refactor a legacy payments codebase to a new API version without downtime",
        "run a literature review and write a systematic-review draft on a medical question",
        "negotiate supplier contracts within set limits and report back",
    ],
}
