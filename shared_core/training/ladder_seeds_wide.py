"""Wider coverage of the ladder's weak spots (written for this project from the ladder's definitions).

* tier 2: explaining, reformatting, extracting from or tidying pasted material (code, SQL,
  transcripts, config, tables): the material may look technical, the ask is light;
* tier 3: real code, scripts, debugging, multi-step calculations and plans, in many forms;
* tier 4: long, specific expert requests from many fields (medicine, law, economics,
  climate, physics, biology, history, education, security), not only computing;
* tiers 1-4 in Spanish, French, German, Portuguese, Chinese, Japanese and Hindi, which the
  earlier seeds covered with a handful of rows per tier.

Same ``(tier, category, template)`` form as :mod:`.ladder_seeds_en`.
"""

from __future__ import annotations

SLOTS_WIDE: dict[str, list[str]] = {
    "pasted_sql": [
        "SELECT d.name, AVG(e.salary) AS avg_salary\nFROM employees e JOIN departments d ON d.id = e.dept_id\n"
        "WHERE e.active = true\nGROUP BY d.name\nORDER BY avg_salary DESC;",
        "UPDATE subscriptions SET status = 'expired'\nWHERE renews_at < CURRENT_DATE AND auto_renew = false;",
        "SELECT user_id, MIN(created_at) AS first_order\nFROM orders\nGROUP BY user_id\nHAVING MIN(created_at) > '2024-06-01';",
    ],
    "pasted_config": [
        "server {\n  listen 80;\n  server_name shop.example.com;\n  location / { proxy_pass http://127.0.0.1:3000; }\n}",
        "version: '3'\nservices:\n  web:\n    image: nginx:1.25\n    ports: ['8080:80']\n  cache:\n    image: redis:7",
        "[database]\nhost = db.internal\nport = 5432\npool_size = 10\n[logging]\nlevel = warning",
    ],
    "pasted_transcript": [
        "Ana: can we ship the new onboarding on the 12th?\nBen: design is done, QA needs two more days\n"
        "Ana: ok, Ben please confirm with QA by Wednesday\nChloe: I'll prepare the release notes",
        "Host: thanks for joining. First, the budget.\nMo: we're 8% over on travel\nHost: Mo, send a breakdown by "
        "Friday. Second, hiring.\nLi: two offers out, one accepted\nHost: Li, schedule onboarding.",
    ],
    "pasted_list": [
        "apples 3, bread 1, milk 2 litres, eggs 12, coffee 1 bag",
        "Mon: gym 7am; Tue: dentist 3pm; Wed: team lunch; Thu: flight to Porto 18:40; Fri: remote",
        "John Smith - sales - 2019; Maria Garcia - support - 2021; Wei Chen - engineering - 2020",
    ],
    "pasted_paragraph": [
        "Due to unforeseen circumstances the facility will be closed for maintenance from the 3rd until further "
        "notice, and all members are kindly requested to refrain from accessing the premises during this period.",
        "Our Q2 revenue grew 12% on the quarter, driven by the enterprise plan, while churn in the starter plan rose "
        "from 3.1% to 3.8%; the board asked for a retention plan before the next meeting.",
        "The new parking rules start on 1 September: residents need a permit, visitors can park for two hours, and "
        "fines go up to 60 euros. Permits can be requested online from next week.",
    ],
    "field_expert": [
        "oncology", "constitutional law", "monetary economics", "climate science", "epidemiology",
        "materials science", "developmental psychology", "medieval history", "structural engineering",
        "immunology", "labour economics", "astrophysics",
    ],
    "expert_question": [
        "whether low-dose aspirin should be used for primary prevention in adults over 70",
        "how carbon border adjustment mechanisms interact with WTO trade rules",
        "what explains the decline of productivity growth in advanced economies since 2005",
        "whether screen time causally affects adolescent mental health",
        "how well current climate models reproduce regional precipitation extremes",
        "whether universal basic income pilots changed labour supply",
    ],
    "script_job": [
        "renames every photo in a folder by the date it was taken",
        "checks a list of URLs every five minutes and alerts when one goes down",
        "reads a Gmail export and counts emails per sender per month",
        "syncs a local folder to an S3 bucket, skipping files that did not change",
        "converts a folder of Markdown notes into a static HTML site with an index",
    ],
    "bug_story": [
        "our Node.js service's memory grows by about 50 MB an hour until it is killed",
        "our websocket connections drop every 60 seconds behind the load balancer",
        "the mobile app shows yesterday's prices until the user logs out and in again",
        "CSV exports open with broken accents in Excel but look fine in a text editor",
        "our Postgres queries got ten times slower after we added a JSONB column",
    ],
}

SEEDS_WIDE: list[tuple[int, str, str]] = [
    # -- tier 1: look-ups, conversions, FAQs, one-line definitions -------------------------
    (1, "fact_lookup", "which planet has the most moons"),
    (1, "fact_lookup", "What's the official language of Brazil?"),
    (1, "fact_lookup", "how long is a football match"),
    (1, "fact_lookup", "What's the area code for London?"),
    (1, "unit_conversion", "How many teaspoons in a tablespoon?"),
    (1, "unit_conversion", "{n} miles per hour in km/h?"),
    (1, "unit_conversion", "what is {n} degrees celsius in fahrenheit"),
    (1, "support_faq", "Where can I download my invoice?"),
    (1, "support_faq", "what are your opening hours on public holidays?"),
    (1, "definition", "What is a {tech_term}? Keep it to one sentence."),
    (1, "definition", "quick definition of '{legal_term}' please"),
    (1, "acronym", "What does HTTP stand for?"),
    # -- tier 2: light asks over pasted material ------------------------------------------
    (2, "explain_code", "In plain words, which rows does this touch and why?\n\n{pasted_sql}"),
    (2, "explain_code", "{pasted_sql}\n\nCan you explain this SQL step by step for a beginner?"),
    (2, "explain_code", "Explain what this config does:\n\n{pasted_config}"),
    (2, "reformat", "Turn this into a Markdown table:\n\n{pasted_list}"),
    (2, "reformat", "Reformat this as JSON with sensible keys: {pasted_list}"),
    (2, "reformat", "Turn this list into a neat bulleted checklist: {pasted_list}"),
    (2, "extract", "What was decided here, and what is still open?\n\n{pasted_transcript}"),
    (2, "extract", "{pasted_transcript}\n\nWho agreed to do what? Just a short list."),
    (2, "summarize", "Summarise this meeting in three bullet points:\n\n{pasted_transcript}"),
    (2, "rewrite", "Make this paragraph plainer and shorter:\n\n{pasted_paragraph}"),
    (2, "rewrite", "Rewrite this for a customer newsletter, friendly tone, same facts:\n\n{pasted_paragraph}"),
    (2, "summarize", "tl;dr this please: {pasted_paragraph}"),
    (2, "translate", "Translate this into {language}: {pasted_paragraph}"),
    (2, "explain_code", "{snippet}\n\nwhat does this do?"),
    (2, "explain_code", "Explain this line by line, briefly:\n\n{snippet}"),
    (2, "explain_error", "What does this error mean? {error_line}"),
    (2, "email", "Write a two-line reply saying yes, Thursday at 3 works for me."),
    (2, "email", "Draft a short message to a client saying their order will be three days late, with an apology."),
    (2, "classify", "Sort these support tickets into billing, bug or feature request: {ticket1} / {ticket2} / {ticket3}"),
    (2, "extract", "Pull every email address out of this text: 'Contact anna.k@fabrik.io for invoices, press@fabrik.io "
                   "for media, and jobs@fabrik.io if you want to apply.'"),
    # -- tier 3: real code, debugging, analysis, long-form --------------------------------
    (3, "script", "Write a Python script that {script_job}. Include a README-style usage note and error handling."),
    (3, "script", "I need a script that {script_job}; any language is fine, but make it robust and configurable."),
    (3, "debugging", "Help me debug this: {bug_story}. What are the likely causes and how do I confirm each one?"),
    (3, "debugging", "{bug_story} — walk me through how to track it down and fix it."),
    (3, "code_generation", "Write a SQL query that computes monthly retention cohorts from a users table and an events "
                           "table, and explain how to read the result."),
    (3, "code_generation", "Build a small command-line to-do app in {code_lang} with add, list, done and persistence "
                           "to a file, plus tests."),
    (3, "code_generation", "Rewrite this code to be faster and more readable, and explain the changes:\n\n{code_block}"),
    (3, "code_generation", "Add proper error handling, logging and unit tests to this function:\n\n{code_block}"),
    (3, "analysis", "Here is our data:\n\n{table}\n\nAnalyse the trends, suggest three possible explanations and "
                    "what data would tell them apart."),
    (3, "analysis", "Put together a plan to cut our cloud bill by 30% without hurting latency: where to look, "
                    "what to measure, and a rollout order."),
    (3, "plan", "Make a detailed 12-week study plan to pass the AWS Solutions Architect exam while working full time."),
    (3, "multistep", "If I invest {n}00 a month at 6% a year for 20 years, how much will I have? Show the formula, "
                     "the steps, and how the result changes at 4% and 8%."),
    (3, "long_form", "Write a detailed how-to guide on setting up a home network with a separate guest Wi-Fi, "
                     "VLANs for smart devices and a VPN, with headings."),
    (3, "long_form", "Write a 1,000-word op-ed arguing for four-day school weeks, with counter-arguments addressed."),
    # -- tier 4: long, specific expert requests across fields -----------------------------
    (4, "research_synthesis", "Synthesise the research on {expert_question}: the main studies and their designs, "
                              "effect sizes, where they disagree and why, and what the evidence supports overall."),
    (4, "research_synthesis", "As an expert in {field_expert}, write a critical review of the literature on "
                              "{expert_question}, separating strong evidence from weak, and list the open questions."),
    (4, "research_synthesis", "I'm preparing a grant proposal in {field_expert}. Map the state of the art, identify "
                              "the three most important unsolved problems, and propose a rigorous study design for one."),
    (4, "proof", "Prove that a continuous function on a closed bounded interval attains its maximum, from the "
                 "completeness axiom."),
    (4, "proof", "Show that there is no simple group of order 30, with a complete argument."),
    (4, "proof", "Prove the Cauchy-Schwarz inequality for inner product spaces and characterise the equality case."),
    (4, "competition_math", "Determine all pairs of positive integers (m, n) with m^2 + n^2 = 5mn - 5, with proof."),
    (4, "system_design", "Design an end-to-end architecture for a hospital network's real-time patient monitoring: "
                         "device ingestion, alerting with clinical escalation, audit trails, privacy law, uptime "
                         "targets, and how you would validate it safely."),
    (4, "system_design", "Design a nationwide smart-grid control platform that balances renewables and storage in "
                         "real time: data flows, forecasting, control loops, security, and failure modes."),
    (4, "system_design", "Architect a search engine for 10 billion documents with sub-200 ms queries: crawling, "
                         "indexing, sharding, ranking, freshness and cost trade-offs."),
    (4, "legal_analysis", "Analyse how the GDPR, the EU AI Act and national employment law interact for a company "
                          "using AI to screen job applicants across five EU countries; identify conflicts, "
                          "liabilities and a compliance strategy."),
    (4, "agent_planning", "Plan an autonomous agent that runs a month-long literature review on its own: search, "
                          "screening, extraction, contradiction checks, progress reports and safeguards against "
                          "fabricated citations."),
]

SEEDS_WIDE_INTL: dict[str, list[tuple[int, str, str]]] = {
    "es": [
        (1, "fact_lookup", "¿En qué año llegó el hombre a la Luna?"),
        (1, "unit_conversion", "¿Cuántos kilómetros son {n} millas?"),
        (2, "explain_code", "¿Qué hace esta consulta SQL? Explícalo en palabras sencillas:\n\n{pasted_sql}"),
        (2, "reformat", "Convierte esta lista en una tabla: {pasted_list}"),
        (2, "extract", "Saca las tareas pendientes y los responsables de esta conversación:\n\n{pasted_transcript}"),
        (2, "rewrite", "Reescribe este mensaje de forma más amable: «Necesito la factura hoy, ya van tres avisos.»"),
        (3, "code_generation", "Escribe un script en Python que lea un Excel de ventas, calcule el total por vendedor "
                               "y mes, y genere un gráfico y un informe en PDF."),
        (3, "debugging", "Mi API en Node.js devuelve 502 de forma intermitente detrás de Nginx. ¿Cómo lo diagnostico "
                         "paso a paso y qué puede estar fallando?"),
        (3, "long_form", "Escribe una guía detallada para montar una pequeña tienda online: plataforma, pagos, "
                         "envíos, impuestos y marketing, con secciones."),
        (4, "research_synthesis", "Haz una revisión crítica de la evidencia sobre la dieta mediterránea y la "
                                  "enfermedad cardiovascular: ensayos, estudios observacionales, sesgos y "
                                  "conclusiones sólidas."),
        (4, "proof", "Demuestra que todo grupo de orden primo es cíclico y que todo grupo de orden p² es "
                     "abeliano."),
        (4, "system_design", "Diseña una plataforma de reservas de vuelos para 200 millones de usuarios con "
                             "inventario consistente, picos de tráfico y recuperación ante desastres."),
    ],
    "fr": [
        (1, "fact_lookup", "Quelle est la plus longue rivière de France ?"),
        (1, "unit_conversion", "Combien de litres dans {n} gallons ?"),
        (2, "explain_code", "Explique-moi ce que fait cette requête SQL :\n\n{pasted_sql}"),
        (2, "reformat", "Mets ces informations sous forme de tableau : {pasted_list}"),
        (2, "extract", "Liste les décisions prises dans cet échange :\n\n{pasted_transcript}"),
        (2, "summarize", "Résume ce texte en une phrase : {pasted_paragraph}"),
        (3, "code_generation", "Écris un programme en Java qui lit un fichier de logs, agrège les erreurs par "
                               "heure et produit un rapport CSV, avec des tests unitaires."),
        (3, "analysis", "Analyse les avantages et inconvénients de passer notre équipe de Jira à Linear : coûts, "
                        "migration, intégrations, risques, et fais une recommandation."),
        (3, "debugging", "Notre site WordPress est devenu très lent depuis la mise à jour. Comment trouver la "
                         "cause et la corriger étape par étape ?"),
        (4, "research_synthesis", "Rédige une revue critique de la littérature sur l'efficacité des taxes carbone "
                                  "en Europe : méthodes, résultats, limites et questions ouvertes."),
        (4, "proof", "Démontre que l'ensemble des nombres réels n'est pas dénombrable, puis que l'ensemble des "
                     "rationnels l'est."),
        (4, "system_design", "Conçois l'architecture d'une plateforme de paiement instantané pour une banque "
                             "nationale : disponibilité, cohérence, fraude, conformité et reprise après sinistre."),
    ],
    "de": [
        (1, "fact_lookup", "Wann wurde die Bundesrepublik Deutschland gegründet?"),
        (1, "unit_conversion", "Wie viele Zentimeter sind {n} Zoll?"),
        (2, "explain_code", "Was macht diese SQL-Abfrage? Bitte einfach erklären:\n\n{pasted_sql}"),
        (2, "reformat", "Mach aus dieser Liste eine übersichtliche Tabelle: {pasted_list}"),
        (2, "extract", "Welche Aufgaben wurden in diesem Chat verteilt und an wen?\n\n{pasted_transcript}"),
        (2, "rewrite", "Formuliere diesen Absatz verständlicher:\n\n{pasted_paragraph}"),
        (3, "code_generation", "Schreib ein Python-Skript, das jeden Morgen Wetterdaten von einer API abruft, in "
                               "einer SQLite-Datenbank speichert und eine Wochenstatistik per E-Mail verschickt."),
        (3, "analysis", "Vergleiche Photovoltaik mit und ohne Batteriespeicher für ein Haus mit 4.500 kWh "
                        "Jahresverbrauch, rechne die Amortisation durch und gib eine Empfehlung."),
        (3, "debugging", "Unser Spring-Boot-Dienst wirft nach einigen Stunden OutOfMemoryError. Wie gehe ich bei "
                         "der Analyse vor und was sind typische Ursachen?"),
        (4, "research_synthesis", "Erstelle eine kritische Übersicht über die Forschung zu Long Covid: Definitionen, "
                                  "Studiendesigns, Häufigkeit, Mechanismen und widersprüchliche Befunde."),
        (4, "proof", "Beweise, dass jede stetige Funktion auf einem kompakten Intervall gleichmäßig stetig ist."),
        (4, "system_design", "Entwirf die Architektur einer europaweiten Plattform für Ladestationen von "
                             "Elektroautos: Roaming, Abrechnung, Echtzeitstatus, Sicherheit und Ausfallsicherheit."),
    ],
    "pt": [
        (1, "fact_lookup", "Qual é o maior estado do Brasil?"),
        (1, "unit_conversion", "Quantos quilos são {n} libras?"),
        (2, "explain_code", "Explique o que essa consulta SQL faz:\n\n{pasted_sql}"),
        (2, "reformat", "Transforme essa lista em uma tabela: {pasted_list}"),
        (2, "summarize", "Resuma esse texto em duas frases: {pasted_paragraph}"),
        (2, "email", "Escreva um e-mail curto para o cliente confirmando a reunião de quinta às 10h."),
        (3, "code_generation", "Escreva uma API em Flask para cadastro de clientes com autenticação, validação e "
                               "testes automatizados."),
        (3, "debugging", "Meu aplicativo React Native trava ao abrir a câmera no Android. Como investigo e "
                         "corrijo isso passo a passo?"),
        (3, "analysis", "Analise se vale a pena abrir uma empresa como MEI ou como ME para um designer que "
                        "fatura 8 mil reais por mês, com os impostos de cada opção."),
        (4, "research_synthesis", "Faça uma síntese crítica das pesquisas sobre o impacto do desmatamento da "
                                  "Amazônia no regime de chuvas da América do Sul, com as incertezas."),
        (4, "proof", "Demonstre que toda sequência limitada de números reais tem uma subsequência convergente."),
        (4, "system_design", "Projete a arquitetura de um sistema de pagamentos instantâneos como o Pix: "
                             "liquidação, antifraude, disponibilidade, escala e segurança."),
    ],
    "zh": [
        (1, "fact_lookup", "长城有多长？"),
        (1, "unit_conversion", "{n}英尺等于多少米？"),
        (1, "greeting", "你好，今天过得怎么样？"),
        (2, "explain_code", "请用通俗的话解释这段SQL的作用：\n\n{pasted_sql}"),
        (2, "summarize", "请用三句话概括下面的会议记录：\n\n{pasted_transcript}"),
        (2, "email", "帮我写一封简短的邮件，告诉客户发货会推迟两天，并表示歉意。"),
        (2, "rewrite", "把这段话改写得更正式一些：明天的会我可能晚点到，你们先开始吧。"),
        (3, "code_generation", "用Java写一个多线程下载器，支持断点续传和进度显示，并附上单元测试。"),
        (3, "debugging", "我们的Redis缓存命中率突然从95%降到40%，请帮我一步步分析可能的原因和排查方法。"),
        (3, "analysis", "请分析一家奶茶店是否应该开通外卖平台：成本、抽成、客流变化和风险，并给出建议。"),
        (4, "research_synthesis", "请系统综述关于肠道菌群与抑郁症关系的研究，区分因果证据和相关证据，并指出研究空白。"),
        (4, "proof", "证明：任何大于1的整数都可以唯一地分解为素数的乘积。"),
        (4, "system_design", "请设计一个支持亿级用户的即时通讯系统架构，包括消息可靠投递、离线存储、多端同步、扩展性和容灾。"),
    ],
    "ja": [
        (1, "fact_lookup", "日本で一番長い川は何ですか？"),
        (1, "unit_conversion", "{n}マイルは何キロメートルですか？"),
        (2, "explain_code", "このSQLが何をしているのか、簡単に説明してください：\n\n{pasted_sql}"),
        (2, "summarize", "次の会議メモを三行で要約してください：\n\n{pasted_transcript}"),
        (2, "email", "取引先に、納品が二日遅れることをお詫びする短いメールを書いてください。"),
        (2, "reformat", "次の内容を表にまとめてください：{pasted_list}"),
        (3, "code_generation", "PythonでCSVの売上データを読み込み、月別・商品別に集計してグラフを出力するスクリプトを書いてください。エラー処理とテストも含めてください。"),
        (3, "debugging", "Dockerコンテナ内のNode.jsアプリがメモリ不足で落ちます。原因の調べ方と対策を順を追って教えてください。"),
        (3, "analysis", "小さなカフェがキャッシュレス決済を導入すべきか、手数料、客層、売上への影響を分析して提案してください。"),
        (4, "research_synthesis", "睡眠不足と認知機能に関する研究を体系的にまとめ、実験研究と観察研究の違い、効果の大きさ、未解決の問題を論じてください。"),
        (4, "proof", "実数の集合が可算でないことを、対角線論法を使って厳密に証明してください。"),
        (4, "system_design", "全国規模のオンライン診療システムを設計してください。ビデオ通話、電子カルテ連携、個人情報保護、高可用性、障害対策まで詳しく説明してください。"),
    ],
    "hi": [
        (1, "fact_lookup", "ताजमहल किस शहर में है?"),
        (1, "unit_conversion", "{n} फ़ुट कितने मीटर होते हैं?"),
        (2, "summarize", "इस संदेश का सार एक वाक्य में बताइए: कल दफ़्तर में बिजली का काम होगा, इसलिए सभी लोग घर से काम करें और शाम छह बजे की मीटिंग ऑनलाइन होगी।"),
        (2, "email", "ग्राहक को एक छोटा ईमेल लिखिए कि उनका ऑर्डर दो दिन देर से पहुँचेगा और हमें खेद है।"),
        (2, "explain_code", "यह SQL क्वेरी क्या करती है, आसान शब्दों में समझाइए:\n\n{pasted_sql}"),
        (3, "code_generation", "Python में एक प्रोग्राम लिखिए जो बैंक स्टेटमेंट की CSV फ़ाइल पढ़े, खर्चों को श्रेणियों में बाँटे और हर महीने की रिपोर्ट बनाए, टेस्ट के साथ।"),
        (3, "debugging", "मेरी Android ऐप लॉगिन के बाद क्रैश हो जाती है। कारण कैसे खोजूँ और ठीक कैसे करूँ, क़दम दर क़दम बताइए।"),
        (3, "analysis", "एक छोटे किराना स्टोर के लिए ऑनलाइन डिलीवरी शुरू करने का विश्लेषण कीजिए: लागत, जोखिम, ग्राहक और तीन महीने की योजना।"),
        (4, "research_synthesis", "वायु प्रदूषण और बच्चों के फेफड़ों के विकास पर हुए शोध की समीक्षा कीजिए: अध्ययन के प्रकार, परिणाम, विरोधाभास और खुले प्रश्न।"),
        (4, "proof", "सिद्ध कीजिए कि त्रिभुज के कोणों का योग 180 डिग्री होता है, और विस्तार से समझाइए कि यह प्रमाण यूक्लिड के किस अभिगृहीत पर टिका है और उसके बिना क्या होता है।"),
        (4, "system_design", "पूरे देश के लिए एक डिजिटल भुगतान प्रणाली की संरचना डिज़ाइन कीजिए: लेनदेन की गति, धोखाधड़ी की रोकथाम, सुरक्षा, उपलब्धता और आपदा से उबरना।"),
    ],
}
