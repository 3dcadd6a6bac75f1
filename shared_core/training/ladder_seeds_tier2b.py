"""Tier-2 asks in tier-3 words: the task verb decides, not the topic (written for the tenth round).

The misses of tier-2 requests on the choosing sets (I, J, K, L, dev, check, own held-out) went to
``complex`` because their words are mostly in tier-3 rows: an error message quoted to ask what it
means ("TypeError", "npm ERR!", a git refusal), a one-line SQL query, regex, cron line or spreadsheet
formula, a short listing or log turned into JSON or a list, a paragraph translated, a short post or
message about a software release, a beginner's explanation of a programming idea. Each ask here is
light: it explains, converts, extracts, translates or writes a few lines, and adds no design,
debugging of a program or analysis. Every kind has tier-3 rows over the same words beside it (the
same error in production with a stack trace to find the cause of, a slow query with a plan to tune,
a parser rather than a pattern), so the model learns the ask, not the topic.

**Not in the training data** (``ladder_data`` does not read it), like :mod:`.ladder_seeds_intl7`: tried
in the tenth round (BENCHMARKS.md, "Tenth round") with ``LATE_FILLS`` fills, 195 rows (176 tier 2, 19
tier 3). Against the shipped model on the choosing sets pooled (dev, own held-out, check, I, J, K, L;
1,727 requests): tiers 1-2 in the lower half 95.3 -> 96.2%, but tiers 3-4 in the upper half 93.8 ->
90.9% (own held-out 93.1 -> 87.8%, check 94.4 -> 88.9%), exact 88.5 -> 88.3%, CV exact 84.6 -> 84.4%:
rows of light asks in tier-3 words pull real tier-3 asks down with them. The round shipped rules
instead (:mod:`shared_core.classifiers.caps`). Kept for a later round (with many more tier-3
contrasts, or as a feature).

None of these shares more than 0.43 of its words (Jaccard) with any request of ``benchmarks/data`` or
the dev file. Same ``(tier, category, template)`` form as :mod:`.ladder_seeds_en`; slot names start
with ``t2b_``.
"""

from __future__ import annotations

SLOTS_TIER2B: dict[str, list[str]] = {
    "t2b_error": [
        "KeyError: 'user_id'",
        "ModuleNotFoundError: No module named 'requests'",
        "java.lang.NullPointerException at OrderService.java:42",
        "Permission denied (publickey). fatal: Could not read from remote repository.",
        "ECONNREFUSED 127.0.0.1:5432",
        "Access to fetch has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header",
        "error: failed to push some refs, hint: Updates were rejected because the tip of your current branch is behind",
        "IndentationError: unexpected indent",
        "ERROR 1045 (28000): Access denied for user 'root'@'localhost'",
        "SyntaxError: Unexpected token '<' in JSON at position 0",
        "warning: LF will be replaced by CRLF",
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9",
    ],
    "t2b_table": [
        "users(id, name, email, signup_date)",
        "products(id, title, price, stock)",
        "invoices(id, client_id, amount, paid, due_date)",
        "employees(id, name, department, salary, hired_on)",
        "tickets(id, subject, priority, status, opened_at)",
    ],
    "t2b_regex": [
        "UK postcodes", "a hex colour like #1a2b3c", "dates written as DD/MM/YYYY", "an IPv4 address",
        "a Spanish DNI (8 digits and a letter)", "hashtags in a tweet", "a time like 14:05",
    ],
    "t2b_cron": [
        "every Monday at 6am", "the first day of each month at midnight", "every 15 minutes during work hours",
        "weekends at 9:00", "every night at 23:45",
    ],
    "t2b_sheet": [
        "count how many cells in column B say 'done'", "get the month name from a date in A2",
        "add up column D only where column C is 'Madrid'", "pull the price for a product code from another sheet",
        "show the number of days between two dates",
    ],
    "t2b_listing": [
        "Cosy 2-bed flat near the river, 74 m², second floor, balcony, £1,250 a month, bills extra, available 1 June.",
        "Used Trek road bike, size 56, Shimano 105, bought 2021, light scratches, €650 or best offer, pickup in Ghent.",
        "Senior Data Engineer at Northwind, Berlin or remote (EU), €85–100k, Spark, Airflow, dbt, English required.",
        "Order #5521: 3 notebooks at 2.50, 1 stapler at 7.90, 2 packs of pens at 4.20, shipping 3.99.",
    ],
    "t2b_log": [
        "2025-03-02 10:14:07 WARN disk 81% full /dev/sda1\n2025-03-02 10:15:40 ERROR timeout calling payments-api\n"
        "2025-03-02 10:15:41 INFO retry ok\n2025-03-02 10:21:03 ERROR timeout calling payments-api",
        "GET /login 200 12ms\nPOST /login 401 8ms\nPOST /login 401 9ms\nGET /home 200 30ms\nPOST /login 401 7ms",
    ],
    "t2b_concept": [
        "a closure in JavaScript", "Python generators", "what an API key is", "a list comprehension",
        "what a foreign key does in a database", "git branches", "recursion", "what Docker is for",
    ],
    "t2b_line": [
        "total = sum(row['amount'] for row in rows)",
        "const user = await db.findOne({ email })",
        "df = pd.read_csv(path, sep=';')",
        "resp = requests.get(url, timeout=5).json()",
    ],
    "t2b_product": [
        "hand-thrown ceramic mugs, 350 ml, three glazes (sand, moss, slate), dishwasher safe, made in Porto",
        "a merino wool beanie, one size, five colours, knitted in Scotland, hand wash only",
        "a bamboo laptop stand, fits 11 to 16 inch laptops, folds flat, 6 height settings",
    ],
    "t2b_city": ["Porto", "Kyoto", "Edinburgh", "Vienna", "Montreal"],
    "t2b_release": [
        "our open-source CSV linter 'tidycsv' (Rust, Apache-2.0, runs in CI)",
        "version 2.0 of our note-taking app, now with offline sync and dark mode",
        "a free VS Code extension that highlights unused imports",
    ],
}

_EN: list[tuple[int, str, str]] = [
    (2, "explain_error", "What does this error mean and what usually causes it?\n\n{t2b_error}"),
    (2, "explain_error", "getting `{t2b_error}`, in plain words what is it telling me and where should I look first?"),
    (2, "explain_error", "{t2b_error}\n\nnew to this, can you explain what that message means?"),
    (3, "debug", "In production we get `{t2b_error}` a few times an hour, only under load and never locally. "
                 "Here is the stack trace and the two functions involved:\n\n"
                 "File app/jobs.py, line 88, in sync_batch\n    row = cache[key]\n"
                 "def sync_batch(keys):\n    for key in keys:\n        row = cache[key]\n        pool.submit(push, row)\n"
                 "def evict():\n    for k in list(cache):\n        if stale(k): del cache[k]\n\n"
                 "Find the root cause, fix it, and add a test that reproduces the race."),
    (2, "small_query", "SQL for {t2b_table}: the 20 most recent rows, newest first, just the query please"),
    (2, "small_query", "quick postgres query on {t2b_table} to count rows per month for this year"),
    (2, "small_query", "Give me a regex for {t2b_regex}, plus two strings it should match and one it shouldn't."),
    (2, "small_query", "cron line for {t2b_cron}?"),
    (2, "small_query", "Google Sheets formula to {t2b_sheet}"),
    (2, "small_query", "short python function that returns the {t2b_regex} found in a string, with one example call"),
    (3, "query_tuning", "This report query on {t2b_table} (about 80 million rows) now takes 40 seconds. Here is "
                        "EXPLAIN ANALYZE: Seq Scan, Hash Join, Sort Method external merge Disk: 1.9GB. Propose "
                        "indexes, rewrite the query and explain the trade-offs for the nightly writes."),
    (3, "code", "Write a small tokenizer and recursive-descent parser for arithmetic with variables, operator "
                "precedence and error messages that point at the column, with unit tests; regexes alone won't do."),
    (2, "extract", "Turn this into JSON (pick sensible keys):\n\n{t2b_listing}"),
    (2, "extract", "From this log, list each ERROR or 401 line with its time, nothing else:\n\n{t2b_log}"),
    (2, "explain_concept", "Explain {t2b_concept} with one tiny example; I'm a beginner."),
    (2, "explain_concept", "what's {t2b_concept}, in a short paragraph a junior dev would get"),
    (2, "short_writing", "Write a 3-post thread announcing {t2b_release}. Friendly, no buzzwords."),
    (2, "short_writing", "a short LinkedIn post (under 80 words) about {t2b_release}"),
    (2, "short_writing", "Draft a two-line changelog entry and a one-line tweet for {t2b_release}."),
    (2, "explain_error", "my script stops with this:\n\n{t2b_error}\n\nthe line is `{t2b_line}`. what does it "
                         "mean and where do I start looking? I'm not a programmer really"),
    (2, "small_query", "I need a query (postgres) for the top 5 rows by total this year. tables: {t2b_table} "
                       "and orders(id, user_id, total, created_at). Just the SQL with a one-line note."),
    (2, "short_writing", "Product description for our shop: {t2b_product}. About 90 words, warm tone, then "
                         "four bullet points."),
    (2, "short_writing", "3 relaxed days in {t2b_city} with two kids (7 and 10), mid budget, no car. A day by "
                         "day plan, not too packed please."),
]

_INTL: dict[str, list[tuple[int, str, str]]] = {
    "es": [
        (2, "explain_error", "me sale esto al ejecutar el script:\n{t2b_error}\nla línea es `{t2b_line}`. "
                             "¿qué significa y por dónde empiezo a mirar? no soy programador"),
        (2, "short_writing", "Escribe la descripción de producto para la tienda online: {t2b_product}. Unas 90 "
                             "palabras y luego cuatro puntos."),
        (2, "short_writing", "plan de 3 días tranquilos en {t2b_city} con dos niños, presupuesto medio, sin coche, "
                             "día por día"),
        (2, "explain_error", "¿Qué significa este error y por qué suele pasar? {t2b_error}"),
        (2, "explain_error", "me aparece «{t2b_error}», explícamelo fácil, ¿qué hago primero?"),
        (2, "small_query", "una expresión regular para {t2b_regex}, con un par de ejemplos"),
        (2, "small_query", "consulta SQL sobre {t2b_table} que me dé las filas de la última semana ordenadas por fecha"),
        (2, "extract", "Pásame esto a JSON con claves razonables:\n\n{t2b_listing}"),
        (2, "explain_concept", "explícame {t2b_concept} con un ejemplo pequeño, soy principiante"),
        (2, "translate", "Tradúceme al inglés este párrafo de mi trabajo de fin de grado: «El estudio muestra que "
                         "los huertos urbanos mejoran la convivencia vecinal y reducen el gasto en verdura de las "
                         "familias participantes, aunque su mantenimiento depende del voluntariado.»"),
        (2, "short_writing", "escribe un mensaje corto para el chat del equipo avisando de que sale {t2b_release}"),
        (3, "debug", "En producción sale «{t2b_error}» solo con mucha carga. Te paso la traza y el código del "
                     "worker: encuentra la causa raíz, corrígelo y escribe un test que lo reproduzca."),
    ],
    "fr": [
        (2, "explain_error", "mon script plante avec :\n{t2b_error}\nà la ligne `{t2b_line}`. ça veut dire "
                             "quoi et je commence par où ?"),
        (2, "short_writing", "Rédige une fiche produit pour la boutique : {t2b_product}. Environ 90 mots, puis "
                             "quatre puces."),
        (2, "translate", "Traduis en anglais, ton académique : « Les entretiens menés auprès de quarante "
                         "enseignants suggèrent que la réforme a alourdi la charge administrative sans modifier "
                         "sensiblement les pratiques en classe. »"),
        (2, "explain_error", "Que veut dire cette erreur et d'où vient-elle en général ? {t2b_error}"),
        (2, "explain_error", "j'ai « {t2b_error} », tu peux m'expliquer simplement ce que ça veut dire ?"),
        (2, "small_query", "une regex pour {t2b_regex}, avec deux exemples qui passent"),
        (2, "small_query", "une expression cron pour {t2b_cron}"),
        (2, "extract", "Mets cette annonce en JSON avec des clés claires :\n\n{t2b_listing}"),
        (2, "explain_concept", "explique-moi {t2b_concept} avec un mini exemple, je débute"),
        (2, "translate", "Traduis ce paragraphe en anglais, registre professionnel : « Suite à notre échange "
                         "de ce matin, je vous confirme la livraison des pièces le 12 et reste disponible pour "
                         "organiser l'installation la semaine suivante. »"),
        (2, "short_writing", "écris un petit post pour annoncer {t2b_release}, ton détendu"),
        (3, "query_tuning", "Cette requête sur {t2b_table} (60 millions de lignes) prend 30 s ; voici le plan "
                            "EXPLAIN ANALYZE. Propose des index, réécris-la et justifie les compromis."),
    ],
    "de": [
        (2, "explain_error", "Mein Skript bricht ab mit:\n{t2b_error}\nZeile: `{t2b_line}`. Was heißt das "
                             "und wo fange ich an zu suchen?"),
        (2, "short_writing", "Schreib eine Produktbeschreibung für den Shop: {t2b_product}. Etwa 90 Wörter, "
                             "danach vier Stichpunkte."),
        (2, "translate", "Übersetze diesen Absatz ins Englische, sachlicher Ton: „Die Umfrage unter 300 "
                         "Betrieben zeigt, dass kleine Firmen die neue Meldepflicht als aufwendig empfinden, "
                         "die meisten sie aber fristgerecht erfüllen.“"),
        (2, "explain_error", "Was bedeutet diese Fehlermeldung und woher kommt sie meistens? {t2b_error}"),
        (2, "explain_error", "bei mir steht „{t2b_error}“ – erklär mir kurz, was das heißt"),
        (2, "small_query", "Regex für {t2b_regex}, bitte mit zwei Beispielen"),
        (2, "small_query", "SQL-Abfrage auf {t2b_table}: alle Einträge von diesem Monat, neueste zuerst"),
        (2, "extract", "Mach aus dieser Anzeige ein JSON mit sinnvollen Feldern:\n\n{t2b_listing}"),
        (2, "explain_concept", "Erklär mir {t2b_concept} mit einem kleinen Beispiel, ich fange gerade an"),
        (2, "short_writing", "Schreib eine kurze Nachricht an das Team, dass {t2b_release} jetzt draußen ist"),
        (2, "short_writing", "Mach mir einen einfachen Wochenplan zum Vokabellernen, jeden Tag 20 Minuten, "
                             "Samstag frei."),
        (3, "debug", "Unter Last taucht in Produktion „{t2b_error}“ auf, lokal nie. Hier der Stacktrace und "
                     "der Code des Workers: finde die Ursache, behebe sie und schreib einen Test dafür."),
    ],
    "pt": [
        (2, "explain_error", "meu script para com isso:\n{t2b_error}\na linha é `{t2b_line}`. o que significa "
                             "e por onde começo a procurar?"),
        (2, "translate", "traduz pro inglês esse trecho, linguagem formal: «A pesquisa com 120 pequenos "
                         "produtores indica que o crédito rural chegou a menos da metade deles, sobretudo por "
                         "falta de documentação da terra.»"),
        (2, "short_writing", "roteiro de 3 dias em {t2b_city} com crianças, sem carro, orçamento médio, dia a dia"),
        (2, "explain_error", "o que significa esse erro e por que costuma acontecer? {t2b_error}"),
        (2, "explain_error", "tá aparecendo «{t2b_error}», me explica de um jeito simples o que é"),
        (2, "small_query", "uma regex pra {t2b_regex}, com uns exemplos"),
        (2, "small_query", "fórmula do Excel pra {t2b_sheet}"),
        (2, "extract", "passa esse anúncio pra JSON com campos que façam sentido:\n\n{t2b_listing}"),
        (2, "explain_concept", "me explica {t2b_concept} com um exemplo bem simples"),
        (2, "short_writing", "escreve um recado curto pro grupo do trabalho avisando que saiu {t2b_release}"),
        (3, "query_tuning", "Essa consulta em {t2b_table} com 70 milhões de linhas demora 40 s; segue o "
                            "EXPLAIN ANALYZE. Sugira índices, reescreva a consulta e explique os custos."),
    ],
    "zh": [
        (2, "explain_error", "脚本运行到 `{t2b_line}` 这一行就报错：\n{t2b_error}\n这是什么意思？我应该先从哪里查起？"),
        (2, "short_writing", "帮我写一段网店商品介绍：{t2b_product}。九十字左右，再列四个要点。"),
        (2, "explain_error", "这个报错是什么意思？一般是什么原因？{t2b_error}"),
        (2, "explain_error", "运行时出现“{t2b_error}”，用简单的话解释一下，我该先看哪里？"),
        (2, "small_query", "写一个匹配{t2b_regex}的正则表达式，给两个例子"),
        (2, "small_query", "在 {t2b_table} 上写个 SQL，查出最近七天的记录，按时间倒序"),
        (2, "extract", "把这条信息整理成 JSON：\n\n{t2b_listing}"),
        (2, "explain_concept", "用一个小例子给初学者讲讲{t2b_concept}"),
        (2, "short_writing", "帮我写一条简短的群消息，通知大家{t2b_release}已经发布"),
        (3, "debug", "线上高并发时偶尔出现“{t2b_error}”，本地复现不了。这是堆栈和相关代码，请找出根本原因、"
                     "给出修复，并写一个能复现的测试。"),
    ],
    "ja": [
        (2, "explain_error", "スクリプトの `{t2b_line}` の行で止まります：\n{t2b_error}\nどういう意味で、まず何を"
                             "確認すればいいですか？"),
        (2, "short_writing", "ネットショップ用の商品説明を書いてください：{t2b_product}。150字くらいと箇条書き四つ。"),
        (2, "explain_error", "このエラーはどういう意味ですか？よくある原因も教えてください：{t2b_error}"),
        (2, "explain_error", "「{t2b_error}」と表示されました。初心者にもわかるように説明してください"),
        (2, "small_query", "{t2b_regex}にマッチする正規表現を、例を二つ付けて教えて"),
        (2, "small_query", "スプレッドシートで{t2b_sheet}関数は？"),
        (2, "extract", "この内容をJSONにしてください：\n\n{t2b_listing}"),
        (2, "explain_concept", "{t2b_concept}を簡単な例で説明してください。プログラミング初心者です"),
        (2, "short_writing", "{t2b_release}のリリースをチームに知らせる短いメッセージを書いて"),
        (3, "query_tuning", "{t2b_table} が八千万行あり、集計クエリに40秒かかります。EXPLAIN ANALYZE "
                            "の結果を貼るので、インデックス案とクエリの書き換え、トレードオフを説明してください。"),
    ],
    "hi": [
        (2, "explain_error", "मेरा script इस line `{t2b_line}` पर रुक जाता है:\n{t2b_error}\nइसका मतलब क्या है और "
                             "पहले कहाँ देखूँ?"),
        (2, "translate", "इस अनुच्छेद का अंग्रेज़ी में अनुवाद कीजिए: «सर्वे में शामिल दो सौ किसानों में से आधे से "
                         "ज़्यादा ने बताया कि ड्रिप सिंचाई से पानी की बचत हुई, पर शुरुआती खर्च बड़ी रुकावट है।»"),
        (2, "explain_error", "इस error का मतलब क्या है और आम तौर पर ये क्यों आता है? {t2b_error}"),
        (2, "explain_error", "मुझे «{t2b_error}» दिख रहा है, आसान भाषा में समझाओ कि ये क्या है"),
        (2, "small_query", "{t2b_regex} के लिए एक regex बताओ, दो उदाहरण के साथ"),
        (2, "extract", "इस विज्ञापन को JSON में बदल दो:\n\n{t2b_listing}"),
        (2, "explain_concept", "{t2b_concept} को एक छोटे उदाहरण से समझाइए, मैं अभी सीख रहा हूँ"),
        (2, "short_writing", "टीम के लिए एक छोटा संदेश लिखो कि {t2b_release} रिलीज़ हो गया है"),
        (3, "debug", "production में ज़्यादा load पर «{t2b_error}» आता है, local पर कभी नहीं। stack trace और "
                     "code नीचे है: असली कारण ढूँढो, fix करो और उसे दोहराने वाला test लिखो।"),
    ],
}

SEEDS_TIER2B: list[tuple[int, str, str]] = _EN
SEEDS_TIER2B_INTL: dict[str, list[tuple[int, str, str]]] = _INTL
