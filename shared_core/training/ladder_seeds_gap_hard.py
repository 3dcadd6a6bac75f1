"""Tier 3 next to tier 4: pasted-code reviews, single-service debugging, and hard frontier cases.

Written for this project from the ladder's definitions, not from any evaluation set.

* tier 3: code review of a pasted snippet (Python, JavaScript, Go, SQL), debugging follow-ups
  with a stack trace or an intermittent error in one service, one clause for one person,
  financial and business analysis, long-form writing with a word count, one component to
  build: one component, one service or one document is complex, not frontier;
* tier 4 is in :mod:`.ladder_seeds_gap_hard2` (and in the other-language rows below):
  incidents across several interacting systems, rare concurrency and memory-ordering
  bugs, complete threat models, graduate-level reasoning from first principles, research
  programmes and syntheses, autonomous agent architectures, large system designs with
  numbers, short proofs and olympiad problems, causal inference, multi-jurisdiction law;
* a dozen rows in German, French, Spanish and Portuguese on the same boundary, tiers 3 and 4.

Same ``(tier, category, template)`` form as :mod:`.ladder_seeds_en`; slot names start with
``gh_`` so they cannot collide with the shared slots.
"""

from __future__ import annotations

SLOTS_GAP_HARD: dict[str, list[str]] = {
    "gh_py_snippet": [
        '@app.route("/search")\n'
        "def search():\n"
        '    q = request.args.get("q")\n'
        '    conn = sqlite3.connect("shop.db")\n'
        "    cur = conn.cursor()\n"
        "    cur.execute(f\"SELECT id, name, price FROM products WHERE name LIKE '%{q}%'\")\n"
        "    rows = cur.fetchall()\n"
        "    return jsonify([dict(id=r[0], name=r[1], price=r[2]) for r in rows])",
        "def add_tag(item, tag, tags=[]):\n"
        "    tags.append(tag)\n"
        '    item["tags"] = tags\n'
        "    return item\n"
        "\n"
        "\n"
        "def load_items(path):\n"
        "    try:\n"
        "        return json.load(open(path))\n"
        "    except:\n"
        "        return []",
        "import hashlib\n"
        "\n"
        "\n"
        "def check_login(user, password):\n"
        "    stored = db.get_user(user.lower())\n"
        "    if stored is None:\n"
        "        return False\n"
        "    digest = hashlib.md5(password.encode()).hexdigest()\n"
        '    if digest == stored["pw_hash"]:\n'
        '        session["user"] = user\n'
        "        return True\n"
        "    return False",
        "def convert(request):\n"
        '    name = request.POST["filename"]\n'
        '    fmt = request.POST.get("format", "pdf")\n'
        '    out = f"/tmp/{name}.{fmt}"\n'
        '    subprocess.run(f"libreoffice --convert-to {fmt} uploads/{name}", shell=True)\n'
        '    with open(out, "rb") as f:\n'
        "        data = f.read()\n"
        "    os.remove(out)\n"
        "    return HttpResponse(data)",
        "def fetch_all(session, url):\n"
        "    results = []\n"
        "    page = 1\n"
        "    while True:\n"
        '        r = session.get(url, params={"page": page})\n'
        "        data = r.json()\n"
        '        if not data["items"]:\n'
        "            break\n"
        '        results += data["items"]\n'
        "        page += 1\n"
        "    return results",
        "class RateCache:\n"
        "    _cache = {}\n"
        "\n"
        "    def get_rate(self, currency, day=datetime.date.today()):\n"
        "        key = currency + str(day)\n"
        "        if key not in self._cache:\n"
        '            resp = requests.get(f"{API}/rates/{currency}?date={day}")\n'
        '            self._cache[key] = float(resp.json()["rate"])\n'
        "        return self._cache[key]",
    ],
    "gh_js_snippet": [
        "app.get('/api/users/:id', async (req, res) => {\n"
        "  const user = await db.query('SELECT * FROM users WHERE id = ' + req.params.id);\n"
        "  if (!user) res.status(404).send('not found');\n"
        "  res.json(user.rows[0]);\n"
        "});",
        "function Profile({ userId }) {\n"
        "  const [data, setData] = useState(null);\n"
        "  useEffect(() => {\n"
        "    fetch(`/api/profile/${userId}`)\n"
        "      .then(r => r.json())\n"
        "      .then(setData);\n"
        "  }, []);\n"
        "  return <div dangerouslySetInnerHTML={{ __html: data?.bio }} />;\n"
        "}",
        "async function chargeAll(invoices) {\n"
        "  let failed = 0;\n"
        "  invoices.forEach(async (inv) => {\n"
        "    try {\n"
        "      await stripe.charges.create({ amount: inv.total * 100, currency: 'eur', "
        "customer: inv.customerId });\n"
        "    } catch (e) {\n"
        "      failed++;\n"
        "    }\n"
        "  });\n"
        "  console.log(`done, ${failed} failed`);\n"
        "  return failed;\n"
        "}",
        "function auth(req, res, next) {\n"
        "  const token = req.headers.authorization?.split(' ')[1];\n"
        "  const payload = jwt.decode(token);\n"
        "  if (payload && payload.exp > Date.now()) {\n"
        "    req.user = payload;\n"
        "    return next();\n"
        "  }\n"
        "  res.status(401).end();\n"
        "}",
        "const cache = {};\n"
        "module.exports = async function getPrices(ids) {\n"
        "  const missing = ids.filter(id => !cache[id]);\n"
        "  const rows = await pool.query(`SELECT id, price FROM prices WHERE id IN "
        "(${missing.join(',')})`);\n"
        "  rows.forEach(r => cache[r.id] = r.price);\n"
        "  return ids.map(id => cache[id]);\n"
        "};",
    ],
    "gh_go_snippet": [
        "func fetchAll(urls []string) map[string]int {\n"
        "\tresults := map[string]int{}\n"
        "\tvar wg sync.WaitGroup\n"
        "\tfor _, u := range urls {\n"
        "\t\twg.Add(1)\n"
        "\t\tgo func() {\n"
        "\t\t\tdefer wg.Done()\n"
        "\t\t\tresp, err := http.Get(u)\n"
        "\t\t\tif err != nil {\n"
        "\t\t\t\treturn\n"
        "\t\t\t}\n"
        "\t\t\tresults[u] = resp.StatusCode\n"
        "\t\t}()\n"
        "\t}\n"
        "\twg.Wait()\n"
        "\treturn results\n"
        "}",
        "func (s *Store) Get(key string) (string, error) {\n"
        "\ts.mu.Lock()\n"
        "\tv, ok := s.data[key]\n"
        "\tif !ok {\n"
        '\t\treturn "", ErrNotFound\n'
        "\t}\n"
        "\ts.mu.Unlock()\n"
        "\treturn v, nil\n"
        "}",
        "func download(w http.ResponseWriter, r *http.Request) {\n"
        '\tname := r.URL.Query().Get("file")\n'
        '\tf, err := os.Open("/var/reports/" + name)\n'
        "\tif err != nil {\n"
        "\t\thttp.Error(w, err.Error(), 500)\n"
        "\t}\n"
        "\tdefer f.Close()\n"
        "\tio.Copy(w, f)\n"
        "}",
        "func (c *Client) Do(req *http.Request) (*http.Response, error) {\n"
        "\tfor i := 0; i < 3; i++ {\n"
        "\t\tresp, err := c.http.Do(req)\n"
        "\t\tif err == nil && resp.StatusCode < 500 {\n"
        "\t\t\treturn resp, nil\n"
        "\t\t}\n"
        "\t\ttime.Sleep(time.Second)\n"
        "\t}\n"
        '\treturn nil, errors.New("request failed")\n'
        "}",
    ],
    "gh_sql_snippet": [
        "CREATE PROCEDURE find_customer(IN p_name VARCHAR(100))\n"
        "BEGIN\n"
        "  SET @q = CONCAT('SELECT * FROM customers WHERE name = ''', p_name, '''');\n"
        "  PREPARE stmt FROM @q;\n"
        "  EXECUTE stmt;\n"
        "END;",
        "SELECT o.id, o.total, c.email\n"
        "FROM orders o\n"
        "LEFT JOIN customers c ON c.id = o.customer_id\n"
        "WHERE c.country = 'DE'\n"
        "  AND DATE(o.created_at) = CURRENT_DATE - 1\n"
        "ORDER BY o.total DESC;",
        "BEGIN;\n"
        "SELECT balance FROM accounts WHERE id = 42;\n"
        "-- app checks balance >= 100 here\n"
        "UPDATE accounts SET balance = balance - 100 WHERE id = 42;\n"
        "UPDATE accounts SET balance = balance + 100 WHERE id = 77;\n"
        "COMMIT;",
        "SELECT p.category, COUNT(*) AS sold, SUM(oi.qty * p.price) AS revenue\n"
        "FROM order_items oi, products p, orders o\n"
        "WHERE oi.product_id = p.id\n"
        "  AND o.status <> 'cancelled'\n"
        "GROUP BY p.category\n"
        "HAVING revenue > 1000;",
    ],
    "gh_stack_trace": [
        "Traceback (most recent call last):\n"
        '  File "/app/worker/tasks.py", line 88, in send_digest\n'
        "    html = render_digest(user, items)\n"
        '  File "/app/worker/render.py", line 31, in render_digest\n'
        '    avg = sum(i["price"] for i in items) / len(items)\n'
        "ZeroDivisionError: division by zero",
        "java.lang.NullPointerException: Cannot invoke "
        '"com.acme.billing.Customer.getVatId()" because "customer" is null\n'
        "    at com.acme.billing.InvoiceService.buildInvoice(InvoiceService.java:142)\n"
        "    at com.acme.billing.InvoiceService.lambda$runBatch$3(InvoiceService.java:97)\n"
        "    at java.base/java.util.ArrayList.forEach(ArrayList.java:1596)\n"
        "    at com.acme.billing.InvoiceJob.execute(InvoiceJob.java:41)",
        "TypeError: Cannot read properties of undefined (reading 'map')\n"
        "    at buildFeed (/srv/api/src/feed.js:57:28)\n"
        "    at async /srv/api/src/routes/feed.js:22:18\n"
        "    at async Promise.all (index 2)",
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6b2f4e]\n"
        "\n"
        "goroutine 4127 [running]:\n"
        "main.(*Server).handleUpload(0xc0001a6000, 0xc0004b21c0)\n"
        "\t/src/server/upload.go:73 +0x2ae",
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server "
        'at "10.0.3.14", port 5432 failed: FATAL:  remaining connection slots are reserved '
        "for non-replication superuser connections",
    ],
    "gh_clause": [
        "Non-competition. For twenty-four (24) months after termination of Employee's "
        "engagement for any reason, Employee shall not, directly or indirectly, anywhere in "
        "North America, engage in or provide services to any business that competes with the "
        "Company.",
        "Intellectual Property. All work product, inventions and ideas conceived by "
        "Contractor during the Term, whether or not related to the Services and whether or "
        "not made using Client's resources, shall be the sole property of Client.",
        "Termination. Either party may terminate on ninety (90) days' written notice; "
        "provided that if Customer terminates before the end of the Initial Term, all fees "
        "for the remainder of the Initial Term become immediately due.",
        "Indemnity. Licensee shall indemnify, defend and hold harmless Licensor against any "
        "and all losses, including reasonable attorneys' fees, arising out of or relating to "
        "Licensee's use of the Software, howsoever caused.",
        "Automatic renewal. This Agreement renews automatically for successive twelve-month "
        "terms unless either party gives notice of non-renewal at least 120 days before "
        "expiry; fees may increase by up to 9% at each renewal.",
    ],
    "gh_fin_table": [
        "FY | revenue | gross margin | opex | net burn | cash at year end\n"
        "2022 | 1.1M | 61% | 2.9M | -2.2M | 6.8M\n"
        "2023 | 2.3M | 68% | 3.8M | -2.3M | 4.5M\n"
        "2024 | 3.6M | 71% | 4.6M | -2.1M | 2.4M",
        "month | MRR | new MRR | churned MRR | CAC | customers\n"
        "Jan | 84k | 9.1k | 3.2k | 1,450 | 612\n"
        "Feb | 89k | 8.4k | 3.9k | 1,610 | 640\n"
        "Mar | 92k | 7.2k | 4.3k | 1,980 | 655\n"
        "Apr | 94k | 6.9k | 4.8k | 2,150 | 663",
        "item | 2023 | 2024\n"
        "revenue | 18.4M | 21.0M\n"
        "COGS | 11.2M | 13.9M\n"
        "SG&A | 5.1M | 5.6M\n"
        "inventory | 3.0M | 4.7M\n"
        "receivables | 2.2M | 3.9M\n"
        "operating cash flow | 1.9M | -0.4M",
    ],
}

# tier 3: one snippet, one service, one clause, one document
_TIER3: dict[str, list[str]] = {
    "code_review": [
        "Review this for bugs, security and style:\n\n{gh_py_snippet}",
        "{gh_js_snippet}\n\nCan you do a proper code review of this? Bugs first, then "
        "security, then style. It's going into our Express API.",
        "Code review please, this Go helper is in a PR I have to approve "
        "today:\n\n{gh_go_snippet}\n\nWhat would you block on and what's just a nit?",
        "Our junior wrote this query for the finance dashboard. Review it for correctness "
        "and performance and suggest a fixed version:\n\n{gh_sql_snippet}",
        "```python\n{gh_py_snippet}\n```\nanything wrong with this? be picky, it handles user "
        "input",
        "Please review the following function the way a senior engineer would: correctness, "
        "edge cases, error handling, naming, and the tests you'd ask for.\n\n{gh_go_snippet}",
        "Is this safe to merge? Looking for race conditions, injection and resource "
        "leaks.\n\n{gh_js_snippet}",
        "{gh_sql_snippet}\n\nreview this SQL for bugs and anything that will bite us at 50M rows",
        "I'm refactoring a legacy module. Here's one function:\n\n{gh_py_snippet}\n\nList every "
        "problem you see, rank them by severity, and show the rewritten version with pytest "
        "tests.",
        "Act as a strict reviewer on this pull request and leave comments line by "
        "line.\n\n{gh_js_snippet}",
        "This passes our unit tests but I have a bad feeling about it. Review it and tell me "
        "what could go wrong in production:\n\n```go\n{gh_go_snippet}\n```",
        "Security review of this one endpoint, OWASP-style: what can an attacker do and how "
        "do I fix it?\n\n{gh_py_snippet}",
        "{gh_py_snippet}\n\nReview + fix. Keep the same function signature if you can.",
    ],
    "debugging": [
        "Following up on your earlier answer: I applied the change, but the nightly job "
        "still dies with this:\n\n{gh_stack_trace}\n\nWhat's the actual cause and the fix?",
        "{gh_stack_trace}\n\nthis only happens for maybe 1 in 300 requests and the same input "
        "works on retry. where do I start?",
        "Our checkout service (Spring Boot 3, Hikari pool of 20) throws 'Connection is not "
        "available, request timed out after 30000ms' a few times a day, usually around "
        "09:00. Nothing else in the stack complains. How do I find the leak and fix it?",
        "My Django view intermittently raises IntegrityError: duplicate key value violates "
        'unique constraint "orders_order_reference_key" when users double-click Pay. How do '
        "I fix it properly, not just by disabling the button?",
        "Still broken. New trace after upgrading the library:\n\n{gh_stack_trace}\n\nExplain "
        "what it means, the likely root cause in our code, and a patch.",
        "The Celery task that generates PDFs sometimes hangs forever, no error and no "
        "timeout, about twice a week. It uses requests to fetch images and WeasyPrint to "
        "render. How would you debug and fix it?",
        "Our Next.js app shows 'Hydration failed because the initial UI does not match what "
        "was rendered on the server' only on the pricing page, and only for some users "
        "abroad. Why, and how do I fix it?",
        "nginx returns 413 for uploads over about 1 MB even though client_max_body_size is "
        "50m in the server block. Error log: 'client intended to send too large body: "
        "2837461 bytes'. What am I missing?",
        "One of our services started crashing with this after running fine for "
        "months:\n\n{gh_stack_trace}\n\nHelp me find the cause, fix it, and make that code path "
        "resilient.",
    ],
    "legal_analysis": [
        "Can you analyse this clause from a contract I've been sent? What are the risks for "
        "me and how would a lawyer redline it?\n\n{gh_clause}",
        "{gh_clause}\n\nI'm the one signing this. Explain it part by part, then tell me which "
        "parts are unusual for this kind of contract and what to push back on.",
        "My landlord in Ontario says clause 14 of my lease lets him keep my last month's "
        "rent deposit for cleaning. The clause reads: 'Tenant shall leave the premises in "
        "broom-clean condition; any cleaning costs shall be deducted from the deposit.' Is "
        "he right under the Residential Tenancies Act?",
        "Analyse the limitation-of-liability clause in our SaaS vendor's MSA: 'Provider's "
        "aggregate liability shall not exceed the fees paid in the three (3) months "
        "preceding the claim, and Provider shall have no liability for loss of data.' We're "
        "a 40-person clinic storing patient records there. What's our exposure and what "
        "should we negotiate?",
        "I'm a software engineer about to join a startup in Austin, Texas. Is this "
        "enforceable against me, and what should I ask them to change before I "
        "sign?\n\n{gh_clause}",
    ],
    "financial_analysis": [
        "Here are our numbers:\n\n{gh_fin_table}\n\nAnalyse the unit economics, compute our "
        "runway, and tell me whether we should raise now or cut burn.",
        "{gh_fin_table}\n\nWalk me through what these figures say about the business: margins, "
        "growth quality, cash conversion, and three questions an investor would ask.",
        "We're deciding whether to refinance a 2.4M EUR commercial mortgage: 4.1% fixed with "
        "6 years left and a 2% prepayment penalty, versus a new 10-year loan at 3.6% with "
        "15k in fees. Do the NPV comparison and show the sensitivity to future rates.",
        "Build a simple DCF for a laundromat chain with 5 stores doing 180k EBITDA each, 3% "
        "growth and an 11% discount rate, tell me what I should pay for it, and show a "
        "sensitivity table.",
        "Should I exercise my ISOs now or wait for the IPO? 40,000 options at a $1.20 "
        "strike, current 409A is $9.50, I live in California on a $210k salary. Include AMT "
        "and the holding-period rules in the analysis.",
    ],
    "long_form": [
        "Write a 1,500-word post for our engineering blog on how we moved from cron jobs to "
        "a queue-based job system: motivation, design, migration and lessons learned.",
        "Write a 2,000-word explainer on how mRNA vaccines work for a general audience, with "
        "subheadings and a short FAQ at the end.",
        "Draft a 1,200-word magazine feature on the history of the shipping container and "
        "how it changed world trade.",
        "Write an 1,800-word guide for first-time managers on running one-on-ones, with "
        "example questions and the common mistakes.",
        "I need a ~2,500-word white paper on zero-trust networking for mid-sized companies: "
        "concepts, a phased adoption plan, costs and pitfalls.",
    ],
    "analysis": [
        "We raised prices 15% in March; since then monthly churn went from 2.1% to 3.4% but "
        "ARPU is up 12%. Was the price increase worth it? Walk through the maths and what "
        "else we should look at.",
        "Should our 12-person design agency move from hourly billing to fixed-price "
        "retainers? Analyse the pros, cons and risks, and how we could pilot it.",
        "Here's our funnel: {funnel}. Where's the biggest leak, what are plausible causes, "
        "and which experiments would you run first?",
        "Analyse whether a regional bakery chain with 8 shops should open a central "
        "production kitchen instead of baking in each shop: costs, quality, logistics and "
        "the breakeven point.",
        "Support ticket volume doubled after our app redesign. We have tickets by category "
        "for the last 8 weeks. How would you work out what's driving it and what to fix first?",
    ],
    "code_generation": [
        "Write a token-bucket rate-limiting middleware for Express backed by Redis (a Lua "
        "script for atomicity), configurable per route, with Jest tests.",
        "Implement an LRU cache with per-entry TTL in Go, safe for concurrent use, with "
        "table-driven tests and a benchmark.",
        "Write a TypeScript React hook useInfiniteScroll(fetchPage) that handles loading "
        "state, errors, aborting stale requests and an IntersectionObserver sentinel.",
        "Write a Postgres migration that adds an audit_log table and a trigger recording the "
        "old and new row as JSON on every UPDATE or DELETE on invoices, plus the down migration.",
        "Write a Python CLI that validates a folder of CSV files against a YAML schema "
        "(types, required columns, ranges) and writes an HTML report; include pytest tests.",
    ],
}

SEEDS_GAP_HARD: list[tuple[int, str, str]] = [(3, cat, t) for cat, ts in _TIER3.items() for t in ts]

SEEDS_GAP_HARD_INTL: dict[str, list[tuple[int, str, str]]] = {
    "de": [
        (
            3,
            "code_review",
            "Bitte mach ein Code-Review (Fehler, Sicherheit, Stil) und schlag eine korrigierte "
            "Fassung vor:\n\n{gh_py_snippet}",
        ),
        (
            4,
            "proof",
            "Beweise den ersten Sylow-Satz: Jede endliche Gruppe besitzt zu jeder Primzahl p "
            "eine p-Sylowgruppe.",
        ),
    ],
    "fr": [
        (
            4,
            "threat_model",
            "Établis un modèle de menaces complet pour notre plateforme de téléconsultation : "
            "application mobile, API, visioconférence WebRTC, dossiers médicaux chez un "
            "hébergeur HDS et connexion des médecins via Pro Santé Connect. Je veux les "
            "frontières de confiance, une analyse STRIDE par composant, des arbres d'attaque "
            "pour le vol de dossiers et l'usurpation d'identité d'un médecin, les mesures "
            "d'atténuation et le risque résiduel.",
        ),
        (
            3,
            "legal_analysis",
            "Je suis graphiste freelance. Mon client m'envoie cette clause : « Le Prestataire "
            "cède au Client, à titre exclusif et pour toute la durée de la propriété "
            "intellectuelle, l'ensemble des droits sur les créations, pour tous supports et tous "
            "territoires, sans rémunération complémentaire. » Est-elle valable en droit français "
            "et que dois-je négocier ?",
        ),
        (
            4,
            "scientific_reasoning",
            "Explique à partir des premiers principes l'origine de la supraconductivité "
            "conventionnelle : dérive l'instabilité de Cooper, le rôle des phonons, pourquoi la "
            "théorie BCS prédit 2Δ ≈ 3,5 kTc, et pourquoi elle ne suffit pas pour les cuprates.",
        ),
    ],
    "es": [
        (
            4,
            "concurrency_debugging",
            "Nuestro servicio en Go se bloquea una vez cada pocos días con carga alta: el "
            "volcado de goroutines muestra cientos esperando en el sync.Mutex de la caché de "
            "sesiones y una goroutine que tiene ese mutex esperando para enviar en un canal sin "
            "búfer cuyo lector también necesita el mutex. Explica el interbloqueo exacto, por "
            "qué solo aparece con carga, cómo corregirlo y cómo demostrar que la corrección no "
            "puede bloquearse en ningún entrelazado.",
        ),
        (
            3,
            "debugging",
            "Mi servicio lanza esto de vez en cuando y no sé por qué:\n\n{gh_stack_trace}\n\n¿Cuál "
            "es la causa probable y cómo lo arreglo?",
        ),
        (
            4,
            "competition_math",
            "Demuestra que entre cualesquiera n+1 números del conjunto {1, 2, ..., 2n} hay dos "
            "tales que uno divide al otro.",
        ),
    ],
    "pt": [
        (
            4,
            "system_design",
            "Projete o sistema de pagamentos de um banco digital com 30 milhões de clientes: 15 "
            "mil transações por segundo no pico, duas regiões (São Paulo e Virgínia), RPO zero "
            "para transferências confirmadas, integração com o Pix e antifraude em tempo real "
            "abaixo de 100 ms. Detalhe o modelo de dados, a replicação, a idempotência, a "
            "conciliação e o que acontece quando uma região cai.",
        ),
        (
            3,
            "financial_analysis",
            "Analise estes números da minha empresa e diga se devo pegar um empréstimo de 500 "
            "mil reais a 1,6% ao mês para expandir: faturamento anual de 4,2 milhões, margem "
            "bruta de 38%, despesas fixas de 1,1 milhão, caixa de 300 mil e prazo médio de "
            "recebimento de 45 dias.",
        ),
        (
            4,
            "research_programme",
            "Elabore um programa de pesquisa de 24 meses para medir o efeito das ilhas de calor "
            "urbanas na mortalidade de idosos em São Paulo: objetivos, métodos (sensoriamento "
            "remoto, séries temporais, desenho caso-cruzado), dados, cronograma, equipe, "
            "orçamento e riscos.",
        ),
    ],
}
