"""Tier-2 asks over material that looks heavier than the ask (written for this project from the ladder's definitions).

The own cross-validation and held-out templates showed where medium requests drift up to
``complex``: explaining a pasted function in plain words (the code looks like tier-3 work),
rewriting a dense legal or technical paragraph for a lay reader, summarising or extracting
in Japanese, Chinese, Portuguese and the other languages, proofreading a paragraph, short
emails, and one-paragraph explanations of technical terms. Each ask here is light: it
transforms, shortens or explains what is given, and adds no design, debugging or analysis.
English rows cover the three kinds the English seeds had least of (explaining pasted code,
plain-language rewrites, proofreading); the other languages get summaries, extraction,
polite rewrites, short emails and simple explanations. (English summaries, emails and
explanations of terms, and tier-3 "review and fix this" contrasts over the same material,
were tried too: they cost more cross-validated exact tier elsewhere than they gained.)

Same ``(tier, category, template)`` form as :mod:`.ladder_seeds_en`; slot names start with
``t2_`` so they cannot collide with the shared slots.
"""

from __future__ import annotations

SLOTS_TIER2: dict[str, list[str]] = {
    "t2_code": [
        "def chunk(xs, n):\n    for i in range(0, len(xs), n):\n        yield xs[i:i + n]",
        "const debounce = (fn, ms) => {\n  let t;\n  return (...args) => {\n    clearTimeout(t);\n"
        "    t = setTimeout(() => fn(...args), ms);\n  };\n};",
        "func retry(n int, f func() error) error {\n\tvar err error\n\tfor i := 0; i < n; i++ {\n"
        "\t\tif err = f(); err == nil {\n\t\t\treturn nil\n\t\t}\n\t\ttime.Sleep(time.Second << i)\n\t}\n\treturn err\n}",
        "#!/bin/bash\nfind /var/log/app -name '*.log' -mtime +14 -exec gzip {} \\;\n"
        "find /var/log/app -name '*.gz' -mtime +90 -delete",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nCMD [\"gunicorn\", \"-w\", \"4\", \"app:app\"]",
        "@lru_cache(maxsize=None)\ndef ways(n):\n    if n < 0:\n        return 0\n    if n == 0:\n        return 1\n"
        "    return ways(n - 1) + ways(n - 2)",
        "on:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: make test",
        "class Counter {\n  private counts = new Map<string, number>();\n  add(k: string) {\n"
        "    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);\n  }\n}",
        "0 3 * * 1 /usr/local/bin/backup.sh >> /var/log/backup.log 2>&1",
    ],
    "t2_lang": ["Python", "JavaScript", "Go", "bash", "TypeScript", "Dockerfile", "YAML"],
    "t2_dense": [
        "The Tenant shall not assign, sublet or otherwise part with possession of the Premises or any part "
        "thereof without the prior written consent of the Landlord, such consent not to be unreasonably "
        "withheld or delayed.",
        "We may disclose aggregated or de-identified information that cannot reasonably be used to identify "
        "you to our affiliates and service providers for analytics, product improvement and research purposes.",
        "Patient presented with acute exacerbation of COPD; commenced on nebulised salbutamol and oral "
        "prednisolone 30 mg OD for 5 days. Discharge with follow-up in respiratory clinic in 6 weeks.",
        "Root cause: a misconfigured health check caused the load balancer to mark healthy instances as "
        "unavailable, resulting in elevated 5xx rates for approximately 23 minutes until the change was "
        "rolled back.",
        "Coverage does not extend to loss or damage arising from wear and tear, gradual deterioration, or "
        "any defect in design, unless such defect results in sudden and accidental physical damage.",
        "Notwithstanding the foregoing, either party may terminate this Agreement upon thirty (30) days' "
        "written notice if the other party materially breaches its obligations and fails to cure within "
        "such period.",
    ],
    "t2_reader": ["a 12-year-old", "my grandmother", "someone who has never read a contract",
                  "a new customer", "my non-technical boss"],
    "t2_typos": [
        "Their going to announce the winers on friday, wich is later then we expected. Me and the team "
        "are realy excited and we hope alot of people will come.",
        "Thank you for you're application. Unfortunatly the position have been filled allready, but we will "
        "keep you're CV on file for futur roles.",
        "The report were send to the client last week but they hasnt replied yet, so I think we should "
        "folow up on monday and ask if they recieved it.",
        "Our cafe is open everyday from 8 untill 6 exept sundays, and we serve fresh made cakes witch are "
        "baked every morning.",
    ],
}

_EN: list[tuple[int, str, str]] = [
    (2, "explain_code", "What does this {t2_lang} do? Plain words, a few sentences, no rewrite:\n\n{t2_code}"),
    (2, "explain_code", "Can you explain this to me line by line, briefly? I'm new to it.\n\n{t2_code}"),
    (2, "explain_code", "{t2_code}\n\nexplain what this does in one short paragraph"),
    (2, "explain_code", "My colleague left this in the repo. In two or three sentences, what is it for?\n\n"
                        "{t2_code}"),
    (2, "explain_code", "Add a short comment above each line of this saying what it does:\n\n{t2_code}"),
    (2, "explain_code", "Is this the sort of thing that runs once or on a schedule? Just explain what it "
                        "does:\n\n{t2_code}"),
    (2, "rewrite_plain", "Rewrite this in plain English for {t2_reader}:\n\n{t2_dense}"),
    (2, "rewrite_plain", "What does this actually mean? Put it in simple words, two sentences max.\n\n"
                         "{t2_dense}"),
    (2, "rewrite_plain", "Translate this into everyday language:\n\"{t2_dense}\""),
    (2, "rewrite_plain", "{t2_dense}\n\nCan you say that more simply? It's for {t2_reader}."),
    (2, "proofread", "Proofread this and fix the spelling and grammar, keep my wording otherwise:\n\n"
                     "{t2_typos}"),
    (2, "proofread", "Correct the mistakes in this paragraph please:\n{t2_typos}"),
    (2, "proofread", "{t2_typos}\n\ncan you clean this up so it reads properly?"),
    (2, "proofread", "Check this for errors before I post it: \"{t2_typos}\""),
]


_INTL: dict[str, list[tuple[int, str, str]]] = {
    "es": [
        (2, "summarize", "Resume este texto en una frase:\n\nEl ayuntamiento ha aprobado un plan para plantar "
                         "5.000 árboles en los barrios con menos zonas verdes. Las obras empezarán en otoño y "
                         "costarán 2,3 millones de euros, financiados en parte por la Unión Europea."),
        (2, "extract", "Saca la fecha, la hora y el lugar de este mensaje: «Os recuerdo que la reunión de "
                       "vecinos es el jueves 14 a las 19:30 en el portal 3. Traed las facturas del ascensor.»"),
        (2, "rewrite_plain", "Explícame con palabras sencillas qué significa esta cláusula: «El arrendatario "
                             "no podrá ceder ni subarrendar la vivienda sin el consentimiento escrito del "
                             "arrendador.»"),
        (2, "explain_code", "¿Qué hace este código? Explícalo en pocas palabras:\n\n{t2_code}"),
        (2, "proofread", "Corrige la ortografía de este párrafo: «Ayer fuimos ha la playa y haci que nos "
                         "vañamos aunque hacia frio. Despues comimos en un restorante muy vueno.»"),
    ],
    "fr": [
        (2, "summarize", "Résume ce paragraphe en deux phrases :\n\nLa mairie a annoncé la fermeture de la "
                         "piscine municipale pendant six mois pour rénovation. Les travaux coûteront 1,8 "
                         "million d'euros. Les clubs de natation seront accueillis dans la commune voisine."),
        (2, "rewrite", "Reformule ce message pour qu'il soit plus poli : « Vous ne m'avez toujours pas "
                       "répondu. Envoyez-moi le devis aujourd'hui. »"),
        (2, "extract", "Relève les noms, dates et montants dans ce texte : « Le 3 mars, Claire Martin a "
                       "versé 450 € à l'association, et Paul Girard 120 € le 12 avril. »"),
        (2, "explain_concept", "Explique simplement ce qu'est un serveur proxy, en un petit paragraphe."),
        (2, "email", "Écris un court e-mail pour prévenir mon équipe que la réunion de lundi est déplacée "
                     "à mardi 10 h."),
    ],
    "de": [
        (2, "summarize", "Fass diesen Text in einem Satz zusammen:\n\nDie Stadtwerke erhöhen ab Januar die "
                         "Wasserpreise um sechs Prozent. Begründet wird das mit gestiegenen Energiekosten und "
                         "notwendigen Investitionen in das alte Leitungsnetz."),
        (2, "rewrite_plain", "Erklär mir diesen Vertragssatz in einfachen Worten: „Der Mieter trägt die "
                             "Kosten der Schönheitsreparaturen, soweit diese durch seinen Gebrauch "
                             "veranlasst sind.“"),
        (2, "explain_code", "Was macht dieser Code? Bitte kurz und verständlich:\n\n{t2_code}"),
        (2, "proofread", "Korrigiere bitte Rechtschreibung und Grammatik: „Ich habe gestern den Brief "
                         "geschickt, aber er ist noch nicht angekommen, weil die Post streikt hat.“"),
    ],
    "pt": [
        (2, "extract", "Extraia o nome do cliente, o número do pedido e o valor desta mensagem: «Olá, sou "
                       "a Mariana Costa, fiz o pedido 48213 no valor de R$ 389,90 e ainda não recebi.»"),
        (2, "summarize", "Resuma em uma frase: A prefeitura vai ampliar o horário dos ônibus noturnos a "
                         "partir de março. Serão 12 novas linhas, e a tarifa continua a mesma."),
        (2, "rewrite", "Reescreva esta mensagem de forma mais educada: «Preciso da resposta hoje, já pedi "
                       "três vezes.»"),
        (2, "explain_concept", "Explique de forma simples o que é computação em nuvem, com um exemplo do dia a dia."),
    ],
    "zh": [
        (2, "summarize", "用一句话总结下面这段话：\n\n市政府宣布，从下个月起，地铁末班车将延长到晚上十二点，"
                         "周末还会增加班次。这项措施主要是为了方便夜间工作的市民。"),
        (2, "extract", "从这段话里找出时间、地点和联系人：下周三上午十点在三楼会议室开会，有问题请联系王芳，"
                       "电话 138 0013 8000。"),
        (2, "rewrite", "把这句话改得更礼貌一些：“你们的货怎么还没到？今天必须给我答复。”"),
        (2, "explain_code", "这段代码是做什么的？请用简单的话解释：\n\n{t2_code}"),
    ],
    "ja": [
        (2, "summarize", "次の文章を一文でまとめてください：\n\n来月から図書館の開館時間が夜九時まで延長されます。"
                         "平日に利用できなかった会社員の声を受けたもので、土日の時間は変わりません。"),
        (2, "extract", "このメールから日時と場所だけを抜き出してください：「打ち合わせは3月8日（金）14時から、"
                       "本社5階の会議室Bで行います。資料は前日までに送ります。」"),
        (2, "rewrite", "このメッセージをもっと丁寧な言い方に直してください：「資料まだですか？今日中に送って。」"),
        (2, "explain_concept", "APIとは何ですか？専門家でない人にもわかるように短く説明してください。"),
    ],
    "hi": [
        (2, "summarize", "इस अनुच्छेद का सार एक वाक्य में लिखिए: नगर निगम ने घोषणा की है कि अगले महीने से शहर "
                         "में कूड़ा सुबह और शाम दो बार उठाया जाएगा। इसके लिए पचास नई गाड़ियाँ खरीदी गई हैं।"),
        (2, "email", "मेरे मैनेजर को एक छोटा ईमेल लिखिए कि मैं कल बीमार होने के कारण दफ़्तर नहीं आ पाऊँगा।"),
        (2, "explain_concept", "क्लाउड स्टोरेज क्या होता है? आसान शब्दों में दो-तीन वाक्यों में समझाइए।"),
    ],
}

SEEDS_TIER2: list[tuple[int, str, str]] = _EN
SEEDS_TIER2_INTL: dict[str, list[tuple[int, str, str]]] = _INTL
