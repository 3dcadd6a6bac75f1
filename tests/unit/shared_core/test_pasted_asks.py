"""A short ask about a long pasted document is placed by the ask; over code, logs or a
user's own problem the whole message decides."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core import Router
from shared_core.classifiers.pasted import (
    ASK_MAX,
    MIN_TEXT,
    ask_to_read,
    find_ask,
    is_code_or_log,
    looks_up_a_value,
    names_a_task,
)
from shared_core.errors import ConfigError

REPORT = """Field operations report, October

The depot in Ostrava moved to a two-shift rota on the 3rd. Average loading time fell from 41 to
33 minutes per lorry, and overtime hours dropped by a fifth. Two forklifts were replaced under
the leasing contract; the old ones go back to the lessor on the 30th.

Customer complaints rose slightly (27 against 22 in September), mostly about late deliveries on
the northern route while the bridge at Frýdek was closed. The bridge reopened on the 19th.

Headcount is 58. Jana Dvořák joined as shift lead; Tomas Berg leaves at the end of November and
his route planning moves to the central team. Questions about the rota go to Petra Novak on
extension 4471. Fuel spend was 212,000 crowns, 4% under budget."""

CODE = """def moving_average(values, window):
    out = []
    total = 0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / window)
    return out


def median(values):
    s = sorted(values)
    return s[len(s) // 2]
"""

TRACEBACK = """2026-11-30 08:14:02,117 INFO  billing-sync starting run 8812
2026-11-30 08:14:05,402 ERROR billing-sync run 8812 failed
Traceback (most recent call last):
  File "/srv/billing/sync.py", line 214, in run
    invoice = self.client.fetch(invoice_id)
  File "/srv/billing/client.py", line 88, in fetch
    return self._parse(resp.json())
  File "/srv/billing/client.py", line 120, in _parse
    amount = Decimal(data["amount"]["value"])
KeyError: 'value'
2026-11-30 08:14:05,403 WARN  billing-sync retrying in 60s
"""

OWN_PROBLEM = """We run a marketplace with about 40,000 sellers. Each seller's catalogue is
synchronised from their own shop system every 15 minutes, and a change to a price has to reach
search within a minute. Today a cron job walks all sellers in one process; a full pass takes 22
minutes, so price changes lag by up to half an hour and sellers complain.

We have two engineers, a Postgres primary with two replicas, Redis, and an Elasticsearch cluster.
Some shop systems offer webhooks, most do not, and a few rate-limit us to one request a second.
Sellers with big catalogues (up to 300,000 items) dominate the run time.

We cannot afford a rewrite, and the fix must survive a seller's shop being down for hours."""


def test_a_short_look_up_after_a_pasted_report_is_read_alone() -> None:
    text = REPORT + "\n\nWho do I ask about the new rota?"
    ask = ask_to_read(text)
    assert ask is not None and ask.text == "Who do I ask about the new rota?" and not ask.over_all
    assert ask.material == REPORT.strip()


def test_the_ask_may_open_the_message_and_a_label_is_taken_off() -> None:
    found = find_ask("Question: how much was spent on fuel?\n\n" + REPORT)
    assert found is not None and found.text == "how much was spent on fuel?"
    found = find_ask("Context:\n" + REPORT + "\n\nQuestion: list the dates mentioned.")
    assert found is not None and found.text == "list the dates mentioned."


def test_a_lead_in_with_a_colon_wins_over_a_question_the_document_ends_with() -> None:
    email = REPORT + "\n\nCould you confirm the new rota by Friday?"
    found = find_ask("Draft a short, friendly reply to this email:\n\n" + email)
    assert found is not None and found.over_all
    assert found.text == "Draft a short, friendly reply to this email:"


def test_short_messages_one_paragraph_and_long_asks_are_read_whole() -> None:
    assert find_ask("Summarise this:\n\nThe meeting moved to Friday.") is None  # short
    assert find_ask(REPORT.replace("\n\n", " ") + " What was fuel spend?") is None  # one paragraph
    long_ask = "Please explain " + "in great detail " * 20 + "what the report says?"
    assert len(long_ask) > ASK_MAX
    assert find_ask(REPORT + "\n\n" + long_ask) is None
    assert find_ask(REPORT + "\n\nKind regards,\nPetra Novak") is None  # no ask at either end


@pytest.mark.parametrize(
    "material",
    [
        CODE,
        TRACEBACK,
        "```\n" + REPORT + "\n```",  # anything fenced
        "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,4 +1,4 @@\n"
        "-    timeout = 30\n+    timeout = 3\n     retries = 2\n     return call(url)\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  replicas: 3\n"
        "  template:\n    spec:\n      containers:\n        - name: worker\n          image: w:1.4\n",
        "SELECT c.id, SUM(o.total)\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\n"
        "WHERE o.created_at > now() - interval '30 days'\nGROUP BY c.id;\n",
        'Exception in thread "main" java.lang.NullPointerException\n'
        "\tat com.acme.Cart.total(Cart.java:42)\n\tat com.acme.Main.main(Main.java:11)\n",
    ],
    ids=["python", "traceback", "fenced", "diff", "yaml", "sql", "java-stack"],
)
def test_code_configs_diffs_and_logs_are_work_to_debug(material: str) -> None:
    assert is_code_or_log(material)


@pytest.mark.parametrize(
    "material",
    [
        REPORT,
        "| quarter | revenue | margin |\n|---|---|---|\n| Q1 | 1.2M | 31% |\n| Q2 | 1.4M | 29% |\n",
        "date,store,units,price\n2026-10-01,Brno,14,3.50\n2026-10-01,Plzen,9,3.50\n2026-10-02,Brno,11,3.60\n",
        '{"order": "A-1182", "customer": {"name": "Ines Roth", "email": "ines@example.org"},'
        ' "items": [{"sku": "K-22", "qty": 2}], "total": 48.9}',
        "[09:02] Marta: is the van back?\n[09:05] Karel: yes, parked at gate 3\n"
        "[09:06] Marta: great, keys at reception?\n[09:07] Karel: on the hook as usual\n",
    ],
    ids=["report", "table", "csv", "json", "chat"],
)
def test_prose_tables_and_records_are_material_to_look_things_up_in(material: str) -> None:
    assert not is_code_or_log(material)


@pytest.mark.parametrize(
    "ask",
    ["Thoughts?", "Is this correct?", "What should I do?", "Fix it", "Prove it.", "Any ideas?",
     "What's going on here?", "Can you help?", "¿Qué opinas?", "Des idées ?", "Was meint ihr?",
     "O que devo fazer?", "你怎么看？", "どう思いますか？"],
)
def test_an_ask_that_only_points_at_the_material_names_no_task(ask: str) -> None:
    assert not names_a_task(ask)


@pytest.mark.parametrize(
    "ask",
    ["What was the churn rate?", "Summarise this in three bullets.", "who signed the lease",
     "¿Cuál fue el total de la factura?", "この報告書で解約率は何％でしたか？", "Wann endet der Vertrag?"],
)
def test_an_ask_that_says_what_to_do_names_a_task(ask: str) -> None:
    assert names_a_task(ask)


# -- properties --------------------------------------------------------------------------------
_para = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400).filter(
    lambda p: p.strip() and "\n" not in p
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_para, min_size=1, max_size=8))
def test_a_found_ask_is_one_end_paragraph_short_and_the_rest_is_the_material(paras: list[str]) -> None:
    text = "\n\n".join(paras)
    found = find_ask(text)
    if found is None:
        return
    assert len(text) >= MIN_TEXT
    ends = (paras[0].strip(), paras[-1].strip())
    assert any(found.text in e for e in ends)
    assert len(found.text) <= ASK_MAX
    assert found.material.strip() and found.text not in ("", found.material)
    assert ask_to_read(text) in (None, found)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_is_read_without_error(text: str) -> None:
    found = ask_to_read(text)
    assert found is None or len(found.text) <= ASK_MAX
    is_code_or_log(text)
    names_a_task(text)


# -- the router ----------------------------------------------------------------------------------
_TIERS = [{"name": n, "model": m} for n, m in
          (("simple", "gpt-4o-mini"), ("medium", "gpt-4o-mini"), ("complex", "gpt-4o"), ("frontier", "o1"))]


def test_the_zero_config_router_sends_a_pasted_look_up_to_the_cheapest_tier() -> None:
    router = Router()
    d = router.decide(REPORT + "\n\nWho do I ask about the new rota?")
    assert d.tier == "simple"
    assert "ask read alone" in " ".join(d.reasons)
    clf = router.classifier.classify(router.request(REPORT + "\n\nWho do I ask about the new rota?"))
    assert clf.extra["read"] == "ask"


def test_short_asks_over_code_logs_or_a_users_own_problem_are_read_whole() -> None:
    router = Router()
    whole = Router({"tiers": _TIERS, "classifier": {"type": "embedded", "options": {"pasted_asks": False}}})
    for text in (
        "Is this correct?\n\n" + CODE * 2,
        TRACEBACK * 2 + "\n\nWhat's going on here?",
        OWN_PROBLEM + "\n\nThoughts?",
    ):
        assert router.classifier.classify(router.request(text)).extra["read"] == "message"
        assert router.decide(text).tier == whole.decide(text).tier, text[:40]
    assert router.decide(TRACEBACK * 2 + "\n\nWhat's going on here?").tier != "simple"
    assert router.decide(OWN_PROBLEM + "\n\nThoughts?").tier != "simple"


def test_an_instruction_over_the_whole_document_is_at_least_medium() -> None:
    d = Router().decide("Fasse diesen Bericht in zwei Sätzen zusammen:\n\n" + REPORT)
    assert d.tier != "simple"


def test_the_option_turns_the_reading_off_and_a_bad_value_fails_at_build() -> None:
    tiers = _TIERS
    whole = Router({"tiers": tiers, "classifier": {"type": "embedded", "options": {"pasted_asks": False}}})
    text = REPORT + "\n\nWho do I ask about the new rota?"
    assert whole.classifier.classify(whole.request(text)).extra["read"] == "message"
    assert "ask read alone" not in " ".join(whole.decide(text).reasons)
    with pytest.raises(ConfigError, match="pasted_asks"):
        Router({"tiers": tiers, "classifier": {"type": "embedded", "options": {"pasted_asks": "yes"}}})


@pytest.mark.parametrize(
    ("ask", "over_all"),
    [("What are the action items in this report? Who owns each?", True),
     ("List the dates mentioned.", True), ("¿Cuáles son las tareas pendientes?", True),
     ("Which deadlines does it set?", True),
     ("What was the fuel spend?", False), ("Who do I ask about the rota?", False),
     ("Which address should I write to?", False)],
)
def test_an_ask_for_every_item_of_a_kind_is_at_least_medium(ask: str, over_all: bool) -> None:
    found = find_ask(REPORT + "\n\n" + ask)
    assert found is not None and found.over_all is over_all
    if over_all:
        assert Router().decide(REPORT + "\n\n" + ask).tier != "simple"


def test_a_users_own_material_after_a_colon_ending_in_a_vague_question_is_read_whole() -> None:
    text = "Here is my plan for the rota change, written before we start:\n\n" + REPORT + "\n\nIs this a good plan?"
    found = find_ask(text)
    assert found is not None and found.text == "Is this a good plan?"
    assert ask_to_read(text) is None


def test_a_separator_line_ends_the_ask_and_a_heading_is_not_an_ask() -> None:
    found = find_ask("who owns the rota now?\n---\n" + REPORT)
    assert found is not None and found.text == "who owns the rota now?"
    # a heading that ends in a colon introduces material; the ask (here: none) is elsewhere
    assert find_ask("Figures I collected on our depots:\n\n" + REPORT) is None
    # a question that introduces the document is a question, not an instruction over all of it
    found = find_ask("When does Tomas leave? Here is the report:\n\n" + REPORT)
    assert found is not None and not found.over_all
    assert Router().decide("When does Tomas leave? Here is the report:\n\n" + REPORT).tier == "simple"


def test_a_line_of_code_a_notice_or_a_leading_separator_is_not_taken_for_the_ask() -> None:
    sql = "CREATE TABLE payments (id bigint, method text, amount numeric);\n" * 12
    found = find_ask("Find out why this query is slow on 40M rows.\n\n" + sql
                     + "\n\nCREATE INDEX i ON payments(method);")
    assert found is not None and found.text.startswith("Find")
    notice = "※館内での飲食はご遠慮ください。\n※撮影はフラッシュなしでお願いします。"
    assert find_ask(REPORT + "\n\n" + notice) is None
    found = find_ask(REPORT + "\n\n---\nwho replaces Tomas?")
    assert found is not None and found.text == "who replaces Tomas?"
    # typed asks that merely start like code are still asks
    for ask in ("let me know, what was the fuel spend?", "for the rota change, who do I ask?",
                "return date of the old forklifts?"):
        assert find_ask(REPORT + "\n\n" + ask) is not None


def test_ini_style_configs_and_systemd_units_are_config_not_prose() -> None:
    unit = ("[Unit]\nDescription=Nightly sync\nAfter=network.target\n\n[Service]\nType=oneshot\n"
            "ExecStart=/usr/local/bin/sync --all\nUser=sync\n\n[Install]\nWantedBy=multi-user.target\n")
    assert is_code_or_log(unit)


def test_windows_line_ends_separate_paragraphs_too() -> None:
    text = (REPORT + "\n\n---\nWho do I ask about the new rota?").replace("\n", "\r\n")
    found = find_ask(text)
    assert found is not None and found.text == "Who do I ask about the new rota?"
    assert Router().decide(text).tier == "simple"


COMPOSE = """services:
  api:
    image: registry.example.org/shop-api:2.7.1
    ports:
      - "8088:8000"
    environment:
      DATABASE_URL: postgres://shop@db:5432/shop
      WORKERS: "4"
    depends_on:
      - db
  db:
    image: postgres:16
    volumes:
      - dbdata:/var/lib/postgresql/data
volumes:
  dbdata: {}
"""


@pytest.mark.parametrize(
    "ask",
    ["which port does the api publish on the host?", "how many workers does the api start with",
     "what's the postgres version?", "Kurze Frage: In welcher Zeile steht das Image der API?",
     "¿Cuántos workers arranca la API?", "API 用的是哪个版本？"],
)
def test_a_look_up_of_one_value_in_a_config_goes_to_the_cheapest_tier(ask: str) -> None:
    assert looks_up_a_value(ask)
    text = COMPOSE * 2 + "\n\n" + ask
    found = ask_to_read(text)
    assert found is not None and found.over_code == "look-up"
    assert Router().decide(text).tier == "simple"


@pytest.mark.parametrize(
    "ask",
    ["why does the api not reach the database?", "is this config correct?",
     "which of these settings is wrong?", "how do I make the db survive restarts?",
     "what does this return for an empty list?", "¿Por qué falla el contenedor?", "为什么 API 连不上数据库？"],
)
def test_debugging_explaining_or_reviewing_is_no_look_up(ask: str) -> None:
    assert not looks_up_a_value(ask)
    assert ask_to_read(COMPOSE * 2 + "\n\n" + ask) is None


def test_a_question_typed_straight_onto_pasted_code_is_its_own_paragraph() -> None:
    text = "quick yes/no: does the api use postgres 16?\n" + COMPOSE * 2
    found = find_ask(text)
    assert found is not None and found.text == "quick yes/no: does the api use postgres 16?"
    text = COMPOSE * 2 + "which port does the api publish on the host?"
    found = find_ask(text)
    assert found is not None and found.text == "which port does the api publish on the host?"
    assert Router().decide(text).tier == "simple"
    # prose glued to a question is not split: only code or logs mark where the ask ends
    assert find_ask("Who signed it?\n" + REPORT.replace("\n\n", "\n")) is None


@pytest.mark.parametrize(
    ("ask", "lookup"),
    [("db host?", True), ("image tag?", True), ("このサービスのポート番号は？", True),
     ("yes/no: is gzip on?", True), ("用简单的话解释一下这个配置", False), ("bugs?", False)],
)
def test_terse_and_cjk_look_ups(ask: str, lookup: bool) -> None:
    assert looks_up_a_value(ask) is lookup


def test_a_hindi_request_ending_in_a_polite_imperative_is_an_ask() -> None:
    found = find_ask("इस रिपोर्ट को तीन बिंदुओं में समझा दीजिए\n\n" + REPORT)
    assert found is not None and found.text.startswith("इस रिपोर्ट")


def test_a_long_json_record_is_data_even_past_the_characters_read_for_code() -> None:
    import json as _json

    record = _json.dumps({"order": "A-1182", "lines": [{"sku": f"K-{i}", "qty": i % 4 + 1, "price": 3.5 + i}
                                                       for i in range(80)], "paid": True}, indent=2)
    assert len(record) > 4000
    assert not is_code_or_log(record)
    assert Router().decide(record + "\n\nis this order paid?").tier == "simple"


# -- found by a review (2026-12-04): each failed before its fix ---------------------------------------
def test_a_deeply_nested_bracket_run_does_not_break_the_classifier() -> None:
    text = "What was the fuel spend?\n\n" + "[" * 3000
    is_code_or_log("[" * 3000)  # must not raise
    d = Router().decide(text)
    assert "classifier failed" not in " ".join(d.reasons)


@pytest.mark.parametrize(
    "ask",
    ["Are there any race conditions in this?", "Is this O(n^2)?", "Is there an injection risk here?",
     "What is the time complexity of moving_average?", "Are the ports exposed to the internet?"],
)
def test_review_questions_over_code_are_no_look_ups(ask: str) -> None:
    assert not looks_up_a_value(ask)
    assert ask_to_read(CODE * 2 + "\n\n" + ask) is None  # the whole message decides


@pytest.mark.parametrize(
    "ask",
    ["What would you recommend?", "Which option would you pick and why?", "What am I missing?",
     "Is this reasonable?", "Should we go with the queue or the webhooks?", "¿Qué me recomiendas?",
     "Was würdest du empfehlen?", "Que me conseilles-tu ?", "Should we sign this?"],
)
def test_advice_on_the_users_own_situation_reads_the_whole_message(ask: str) -> None:
    assert ask_to_read(OWN_PROBLEM + "\n\n" + ask) is None
    assert Router().decide(OWN_PROBLEM + "\n\n" + ask).tier != "simple"


@pytest.mark.parametrize("lead", ["Here is our October report:", "Below is the report from the depot:",
                                  "This is the report we got:"])
def test_a_presentation_line_is_not_the_ask_the_question_at_the_end_is(lead: str) -> None:
    text = lead + "\n\n" + REPORT + "\n\nWhat was the fuel spend?"
    found = find_ask(text)
    assert found is not None and found.text == "What was the fuel spend?"
    assert Router().decide(text).tier == "simple"


@pytest.mark.parametrize(
    "ask",
    ["Translate to English please.", "Resume este informe en tres puntos.",
     "Fasse den Bericht in drei Sätzen zusammen.", "Make this report half as long.",
     "Can you write up minutes from this?", "Hi! Summarise this for me:", "hey, shorten this to half please"],
)
def test_an_instruction_over_the_document_is_at_least_medium(ask: str) -> None:
    for text in (REPORT + "\n\n" + ask, ask + "\n\n" + REPORT):
        found = find_ask(text)
        assert found is not None and found.over_all, (ask, found)
        assert Router().decide(text).tier != "simple", text[-60:]


@pytest.mark.parametrize("ask", ["Tell me the fuel spend.", "Find the extension for rota questions.",
                                 "Give me the headcount."])
def test_an_imperative_look_up_is_still_a_look_up(ask: str) -> None:
    found = find_ask(REPORT + "\n\n" + ask)
    assert found is not None and not found.over_all


@pytest.mark.parametrize("sign_off", ["Thanks!", "-- Sam", "Cheers,\nMaria", "Danke!"])
def test_a_sign_off_after_the_ask_is_skipped(sign_off: str) -> None:
    found = find_ask(REPORT + "\n\nWho do I ask about the new rota?\n\n" + sign_off)
    assert found is not None and found.text == "Who do I ask about the new rota?"


def test_a_question_opening_the_message_wins_over_a_document_line_that_starts_like_an_ask() -> None:
    recipe_end = "When completely cool, lift the cake out of the tin and dust it with sugar to serve."
    text = "How much butter do I need?\n\n" + REPORT + "\n\n" + recipe_end
    found = find_ask(text)
    assert found is not None and found.text == "How much butter do I need?"


@pytest.mark.parametrize(
    "material",
    ["Kettle KX-2, care leaflet\n\nWARNING: do not immerse the base in water.\n" + REPORT
     + "\nWARNING: unplug before descaling.\n",
     "Clause 7. The tenant shall:\n(a) pay the rent on the first day of each month;\n"
     "(b) keep the flat in good and clean condition throughout the tenancy;\n"
     "(c) not sublet any part of the flat without the landlord's written consent;\n"
     "(d) allow access for repairs on 24 hours' notice;\n" + REPORT],
    ids=["warnings", "legal-list"],
)
def test_prose_with_warning_lines_or_semicolon_lists_is_not_code(material: str) -> None:
    assert not is_code_or_log(material)


def test_chinese_documents_count_their_density_and_short_chinese_asks_name_tasks() -> None:
    notice = ("公司通知：今年春节假期从二月九日开始，到二月十七日结束，共九天。二月十八日正常上班。"
              "假期期间，客服热线由值班人员接听，紧急事务请联系行政部王敏，电话分机八八二一。"
              "年终奖将于二月五日随工资一起发放。请各部门在二月六日前提交值班表。") * 2
    assert len(notice) < MIN_TEXT
    text = notice + "\n\n春节一共放几天假？"
    found = ask_to_read(text)
    assert found is not None and found.text == "春节一共放几天假？"
    assert not names_a_task("你怎么看？") and not names_a_task("どう思いますか？")


def test_an_ask_longer_than_a_third_of_the_message_is_no_ask() -> None:
    doc = REPORT[:520]
    ask = "Who do I ask about the rota, " + "and " * 55 + "when does Tomas leave?"
    assert ASK_MAX >= len(ask) > (len(doc) + 2 + len(ask)) / 3
    assert find_ask(doc + "\n\n" + ask) is None


def test_one_error_word_in_prose_is_no_log_but_timestamped_levels_are() -> None:
    assert not is_code_or_log(REPORT + "\nError: the October invoice had the wrong depot code.\n")
    log = "\n".join(f"2026-11-30 08:14:0{i},117 {lvl} billing-sync step {i}"
                    for i, lvl in enumerate(["INFO", "WARN", "ERROR", "INFO", "ERROR"]))
    assert is_code_or_log(log)


def test_a_chinese_request_without_a_question_mark_is_an_ask() -> None:
    found = find_ask(REPORT + "\n\n请把这份报告翻译成中文")
    assert found is not None and found.text == "请把这份报告翻译成中文" and found.over_all


@pytest.mark.parametrize("ask", ["Who owns all of the open items?", "Wer kümmert sich um alle offenen Punkte?",
                                 "¿Quién se encarga de todas las tareas?"])
def test_an_ask_about_all_of_a_kind_is_carried_over_the_document(ask: str) -> None:
    found = find_ask(REPORT + "\n\n" + ask)
    assert found is not None and found.over_all


COMPLAINT = """Hello,

I ordered a walnut bookshelf (order 55-2093) on the 3rd and paid for delivery within a week. It is
now the 19th. I called twice and was promised a call back both times; nobody called. I took a day
off on the 12th because your email said the van would come between 8 and 12, and it never came.

I want to know when the shelf will arrive. If it cannot come this week I want my money back,
including the delivery fee. My number is 0770 118 2290 if you would rather call.

Regards,
Dana Whitfield"""


def test_the_users_own_situation_is_read_whole_a_letter_is_material() -> None:
    from shared_core.classifiers.pasted import FIRST_PERSON
    from shared_core.classifiers.pasted_words import first_person, looks_like_letter

    mine = OWN_PROBLEM.replace("We run", "I run").replace("We have", "I have").replace("We cannot", "I cannot")
    mine += "\n\nMy own idea: I split the sellers into my big ones and my small ones and I run them apart."
    assert first_person(mine) >= FIRST_PERSON and first_person(COMPLAINT) >= FIRST_PERSON
    assert first_person(REPORT) < FIRST_PERSON
    assert looks_like_letter(COMPLAINT) and not looks_like_letter(mine)
    chat = "\n".join(f"[09:{10 + i}] Karel: line {i} about the van" for i in range(4))
    assert looks_like_letter(chat) and looks_like_letter("Subject: rota\n\n" + REPORT)
    judged = mine + "\n\nWhere does my idea break first?"
    assert find_ask(judged) is not None and ask_to_read(judged) is None  # the whole message decides
    assert ask_to_read(COMPLAINT + "\n\nWhat's the order number?") is not None
    assert Router().decide(COMPLAINT + "\n\nWhat's the order number?").tier == "simple"


@pytest.mark.parametrize("ask", ["Is this a good plan? Be honest.", "Does this hold up?", "How risky is this?",
                                 "Est-ce que notre plan tient la route ?", "Passt das so?"])
def test_a_judgement_on_the_users_own_plan_reads_the_whole_message(ask: str) -> None:
    assert not names_a_task(ask)


@pytest.mark.parametrize(
    "ask",
    ["Can you explain what this script does?", "walk me through this step by step", "convert this to JSON pls",
     "add docstrings to these functions", "¿Me explicas qué hace esta función?", "Erklär mir kurz, was das macht.",
     "用简单的话解释一下这个配置"],
)
def test_explaining_or_converting_code_is_medium(ask: str) -> None:
    from shared_core.classifiers.pasted_words import explains_code

    assert explains_code(ask)
    for text in (COMPOSE * 2 + "\n\n" + ask, ask + "\n\n" + CODE * 2):
        found = ask_to_read(text)
        assert found is not None and found.over_code == "explain", text[:40]
        assert Router().decide(text).tier == "medium"


@pytest.mark.parametrize("ask", ["Can you explain why this fails?", "is this ok?", "explain the bug",
                                 "convert this and fix the timeout", "what would you improve?"])
def test_explaining_a_failure_or_reviewing_is_no_explanation(ask: str) -> None:
    from shared_core.classifiers.pasted_words import explains_code

    assert not explains_code(ask)


def test_advice_over_code_is_no_look_up() -> None:
    text = CODE * 2 + "\n\nWhat are my options here, and which would you pick given the lists can be huge?"
    assert ask_to_read(text) is None


@pytest.mark.parametrize("ask", ["is this workflow ok?", "Is this config fine?", "does this look right?",
                                 "anything I should change here?"])
def test_a_soft_review_question_over_code_is_no_look_up(ask: str) -> None:
    assert not looks_up_a_value(ask)
    found = ask_to_read(COMPOSE * 2 + "\n\n" + ask)
    assert found is None or found.over_code != "look-up"


# -- found by a second review (2026-12-04): each failed before its fix -----------------------------
@pytest.mark.parametrize("ask", ["Thoughts?", "Help?", "Is it efficient?", "Is this idiomatic?", "Will this scale?",
                                 "Any edge cases?", "Am I close?", "Is this Pythonic?", "Any comments?"])
def test_short_review_asks_over_code_are_neither_look_ups_nor_explanations(ask: str) -> None:
    found = ask_to_read(CODE * 2 + "\n\n" + ask)
    assert found is None, (ask, found)


@pytest.mark.parametrize(
    "ask",
    ["Why do you think fuel spend fell while headcount grew, and what should the depot worry about most?",
     "Is the shift comparison fair? What is the report leaving out?",
     "Ist die Rota-Regel wirksam? Worauf muss ich achten?",
     "Quais são as causas prováveis das reclamações e o que a gerência deve fazer?"],
)
def test_compound_or_judging_questions_about_a_document_are_not_sent_to_the_cheapest_tier(ask: str) -> None:
    found = ask_to_read(REPORT + "\n\n" + ask)
    assert found is None or found.over_all
    assert Router().decide(REPORT + "\n\n" + ask).tier != "simple"


def test_a_question_opening_the_message_wins_over_the_pasted_emails_own_last_question() -> None:
    text = "Should I accept the new rota or push back?\n\n" + COMPLAINT.replace(
        "Regards,\nDana Whitfield", "Could you call me back before Friday?")
    found = find_ask(text)
    assert found is not None and found.text == "Should I accept the new rota or push back?"


def test_closing_words_inside_the_users_own_text_do_not_make_it_a_letter() -> None:
    from shared_core.classifiers.pasted_words import looks_like_letter

    mine = OWN_PROBLEM.replace("We cannot afford a rewrite", "We want what's best for the sellers, and we cannot afford a rewrite")
    assert not looks_like_letter(mine + " We'd love to keep the cron job if we can.")
    assert looks_like_letter(COMPLAINT)


def test_a_bare_label_paragraph_is_not_the_ask() -> None:
    found = find_ask("Task:\n\nList the dates in the report.\n\n" + REPORT)
    assert found is None or found.text != "Task:"


def test_a_dockerfile_is_no_letter_and_its_first_line_no_ask() -> None:
    from shared_core.classifiers.pasted_words import looks_like_letter

    docker = ("FROM node:20-slim AS base\nWORKDIR /srv/app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n\n"
              "COPY . .\nENV PORT=8080\nEXPOSE 8080\nUSER node\nCMD [\"node\", \"--enable-source-maps\", \"server.js\"]\nRUN npm prune --production\n") * 3
    assert not looks_like_letter(docker)
    found = find_ask(docker + "\n\nwhich node version does the image use?")
    assert found is not None and found.text == "which node version does the image use?"


@pytest.mark.parametrize(
    "lead",
    ["I got this from the depot manager:", "Me han enviado este informe del almacén:",
     "Hab den Bericht vom Lager bekommen, schau mal:", "recebi isso do gerente do depósito:",
     "on m'a transféré ce rapport ce matin :", "收到了仓库发来的这份报告：", "यह रिपोर्ट मेरे पास आई है:",
     "यह डिपो की रिपोर्ट है:"],
)
def test_a_line_saying_the_material_was_received_presents_it_the_question_at_the_end_is_the_ask(lead: str) -> None:
    text = lead + "\n\n" + REPORT + "\n\nWhen does Tomas leave?"
    found = find_ask(text)
    assert found is not None and found.text == "When does Tomas leave?" and not found.over_all
    assert Router().decide(text).tier == "simple"


@pytest.mark.parametrize("lead", ["Reply to this email I got from the depot:", "Resume el informe que me han enviado:",
                                  "Summarise what I was sent:"])
def test_a_received_line_that_asks_for_something_is_still_the_ask(lead: str) -> None:
    found = find_ask(lead + "\n\n" + REPORT + "\n\nCould you confirm the rota by Friday?")
    assert found is not None and found.text == lead and found.over_all


def test_doubled_question_marks_are_one_question() -> None:
    found = find_ask(REPORT + "\n\nso when does Tomas actually leave??")
    assert found is not None and not found.over_all
    found = find_ask(REPORT + "\n\nWho joined? Who leaves?")
    assert found is not None and found.over_all  # two questions: every item of a kind


@pytest.mark.parametrize("ask", ["帮我把这份报告总结成三条", "这份报告能帮我总结一下吗？", "これを3行でまとめて", "この報告を英語に翻訳して"])
def test_a_cjk_summary_or_translation_is_carried_out_over_all_of_it(ask: str) -> None:
    found = find_ask(REPORT + "\n\n" + ask)
    assert found is not None and found.over_all, ask
    assert Router().decide(REPORT + "\n\n" + ask).tier != "simple"


def test_a_cjk_question_about_one_value_is_a_look_up() -> None:
    found = find_ask(REPORT + "\n\n燃油一共花了多少钱？")
    assert found is not None and not found.over_all
