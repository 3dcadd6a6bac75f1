"""Tier 4 next to tier 3, continued from :mod:`.ladder_seeds_gap_hard`.

Written for this project from the ladder's definitions, not from any evaluation set.
Production incidents across several interacting systems (failovers, split brain,
rebalances, clock skew, leases, replication lag) with logs or timelines, rare concurrency
and memory-ordering bugs, complete threat models, graduate-level reasoning from first
principles, research programmes and syntheses, autonomous agent architectures, large
system designs with numbers, short proofs and olympiad problems (short text, still
frontier), causal inference, and legal analysis across several jurisdictions. Same
``(tier, category, template)`` form as :mod:`.ladder_seeds_en`; slot names start with ``gh_``.
"""

from __future__ import annotations

SLOTS_GAP_HARD2: dict[str, list[str]] = {
    "gh_incident_logs": [
        "[mongo-rs0-a] 16:20:00.870 I WRITE insert payments p_71ac (w:1)\n"
        "[mongo-rs0-a] 16:20:01.220 I REPL Stepping down from primary: no longer able to see "
        "a majority\n"
        "[mongo-rs0-b] 16:20:11.904 I ELECTION Election succeeded, assuming primary role in "
        "term 93\n"
        "[payments-api] 16:20:12.660 INFO read payment p_71ac -> not found (readConcern "
        "local, host=rs0-b)\n"
        "[payments-api] 16:20:12.702 INFO re-submitting charge for p_71ac to PSP\n"
        "[mongo-rs0-a] 16:24:40.512 I ROLLBACK Rollback finished; 2,318 documents written to "
        "rollback/payments.*.bson",
    ],
    "gh_threat_arch": [
        "a multi-tenant SaaS that lets customers run their own Python notebooks on shared "
        "Kubernetes nodes with access to their S3 data",
        "a remote patient-monitoring system: Bluetooth glucose sensors, a phone app, an MQTT "
        "broker and an EHR integration over HL7 FHIR",
        "a crypto exchange's wallet system with HSM-backed hot wallets, air-gapped cold "
        "storage and multi-party withdrawal approvals",
        "a CI/CD platform where pull requests from forks run builds with a shared artifact "
        "cache and access to deploy keys",
        "an LLM assistant with tool use that reads users' email and calendars and can send "
        "messages on their behalf",
    ],
    "gh_agent_domain": [
        "reconciling invoices against purchase orders and bank statements for a "
        "2,000-employee company, allowed to flag but not to pay",
        "clinical-trial eligibility screening across 30 hospitals' oncology records, "
        "proposing matches to trial coordinators",
        "security-alert triage for a 3,000-account AWS organisation, allowed to quarantine "
        "resources",
        "handling customer disputes for an airline, with authority to refund up to 500 EUR",
        "maintaining a large open-source library: triaging issues, reproducing bugs and "
        "opening pull requests",
    ],
    "gh_olympiad": [
        "Find all positive integers n such that n² divides 2ⁿ + 1.",
        "Positive integers a, b satisfy ab + 1 | a² + b². Prove that (a² + b²)/(ab + 1) is a "
        "perfect square.",
        "Find all functions f: ℝ → ℝ with f(x + f(y)) = f(x) + y for all real x, y.",
        "Let x, y > 0 with x + y = 2. Prove that x^3 y^3 (x^3 + y^3) ≤ 2.",
        "Prove that among any 2n − 1 integers there are n whose sum is divisible by n.",
    ],
}

_TIER4: dict[str, list[str]] = {
    "distributed_debugging": [
        "We use Redis Sentinel (1 master, 2 replicas, 3 sentinels) and Redisson locks so "
        "that only one worker generates each monthly invoice. 214 customers got the same "
        "invoice twice with different numbers. What we know: the master failed over at "
        "01:03:22 after a 12 s network blip; min-replicas-to-write was 0; one worker had a "
        "14 s full GC pause (G1, 28 GB heap) from 01:03:15 while holding the lock with a 10 "
        "s lease and the watchdog; after the pause it carried on and wrote to S3 and the "
        "database. Reconstruct the sequence, identify every independent cause, and design "
        "something correct despite process pauses and failovers (fencing tokens, database "
        "constraints, or something else), with the reasoning for why it is safe.",
        "Deleted rows are coming back in our Cassandra 4.1 cluster (18 nodes, 3 DCs, RF=3 "
        "per DC, gc_grace_seconds=864000). User 88412 deleted their account on 3 May; the "
        "row reappeared on 20 May. Node dc2-r3-07 was down 16 days for a disk replacement "
        "and only repaired 2 days after rejoining; Reaper runs incremental repair weekly and "
        "some tables are written at LOCAL_ONE with client-side timestamps. Explain the "
        "resurrection mechanism precisely, why repair didn't stop it, whether clock skew "
        "contributes, how to find all affected data, and a procedure that prevents it in "
        "future, with justification.",
        "Our scheduler cluster (5 Java nodes) elects a leader with a lease row in MySQL: the "
        "leader runs UPDATE leases SET owner=?, expires_at=NOW(6)+INTERVAL 15 SECOND WHERE "
        "name='scheduler' AND (owner=? OR expires_at<NOW(6)) every 5 s, and followers treat "
        "the lease as valid until their local clock passes expires_at. After a chrony "
        "misconfiguration on node-4 (its clock jumped 22 s forward at 03:41:05) two nodes "
        "ran the same batch jobs for about 20 s. Explain which clock assumptions the design "
        "depends on, why node-4 believed it was leader, which other latent failures exist "
        "(GC pauses, a MySQL failover to a lagging replica), and redesign it so double "
        "execution is impossible, or prove it can't be and say what to do instead.",
        "Stale data that never heals: MySQL 8 (primary plus 3 replicas behind ProxySQL with "
        "read/write split), Redis as a read-through cache, and Debezium reading the "
        "primary's binlog to invalidate cache keys. Some prices stay wrong for days. Trace: "
        "10:00:00.120 price updated on the primary; 10:00:00.180 Debezium event deletes "
        "product:991 from Redis; 10:00:00.195 a request misses, reads replica-2 (400 ms lag) "
        "and writes the old price back with a 7-day TTL. Generalise the race, list the other "
        "interleavings that produce it, compare fixes (versioned values, lease-based set, "
        "primary reads after invalidation, delayed double delete) and argue formally that "
        "your choice cannot leave a stale value indefinitely.",
        "Two replicas of our Kubernetes operator (controller-runtime, Lease-based leader "
        "election, leaseDuration 15s, renewDeadline 10s, retryPeriod 2s) both reconciled the "
        "same custom resource during a 90-second API-server brownout (5xx and 30 s "
        "latencies, plus a 12 s etcd leader election). Each created a cloud load balancer; "
        "we now have orphaned LBs and a DNS record flapping between them. Explain how two "
        "reconcilers ended up active, why our reconcile logic wasn't idempotent, and which "
        "combination of changes (exit on lost lease, deterministic names, ownership tags, "
        "optimistic concurrency on status) makes it safe even if leader election is wrong, "
        "with the argument.",
        "Our Flink 1.18 job reads Kafka and writes both to Kafka (EXACTLY_ONCE) and to "
        "Elasticsearch through the async sink. After a TaskManager OOM and restore from "
        "checkpoint 5812, read_committed consumers downstream saw no duplicates, but "
        "Elasticsearch has about 3% duplicated documents and some missing ones. Explain why "
        "in terms of checkpoint barriers and two-phase commit, which guarantee each sink "
        "really gives, and how to make the outputs of the whole pipeline consistent.",
        "Every day around 18:00 UTC our checkout p99 goes from 300 ms to 12 s for about 8 "
        "minutes across five services (gateway, cart, pricing, inventory, Postgres behind "
        "PgBouncer). Inventory has a 2 s timeout and 3 retries, pricing a 5 s timeout and 2 "
        "retries, the gateway retries once; PgBouncer pool_size is 40 in transaction mode; a "
        "nightly analytics export starts at 17:58 on a replica behind the same PgBouncer; "
        "Envoy circuit breakers are at defaults. Connection wait in inventory climbs first, "
        "then CPU in pricing. Build the causal chain, quantify the retry amplification, "
        "separate root cause from amplifiers, and propose changes (retry budgets, deadline "
        "propagation, load shedding) with an argument for why the system stays stable under "
        "the same trigger.",
        "Our 3-node Redis Sentinel setup split-brained during a partition and we lost 40 s "
        "of acknowledged writes. Why exactly, and how do we fix it with guarantees?",
        "DynamoDB global tables in us-east-1, eu-west-1 and ap-southeast-2 back our "
        "ticketing system; each region decrements seat inventory with a conditional write "
        "(available > 0). In a flash sale we sold 1,930 tickets for an 1,800-seat venue. "
        "Explain why conditional writes don't protect us across regions and what "
        "last-writer-wins did to the counters, then design a correct alternative (per-event "
        "home region, escrowed seat allocations per region, or a single strongly consistent "
        "region) with the latency and availability cost of each and a proof sketch that "
        "overselling is impossible in your design.",
        "After an AZ power loss our Kafka cluster (6 brokers, RF=3, min.insync.replicas=2, "
        "producers with acks=all) lost about 9,000 messages that producers had been "
        "acknowledged for, with unclean leader election disabled. We found that broker.rack "
        "was wrong on two brokers, so several partitions had two of three replicas in the "
        "failed AZ, and Kafka doesn't fsync by default. Three topics with correct rack "
        "placement also lost data, and their logs show a controller failover at 11:20:41 and "
        "the new leader truncating to an older leader epoch. Explain every loss mechanism, "
        "which topics lost data for which reason, and a configuration and topology that "
        "survives a full-AZ power loss, with the argument.",
        "Logs from the incident, merged from several systems (clocks NTP-synced to about 5 "
        "ms):\n\n{gh_incident_logs}\n\nReconstruct exactly what happened across the components, "
        "identify the root cause and the contributing factors, propose a fix, and argue why "
        "it stays safe under the same failure and under a process pause at any point.",
        "{gh_incident_logs}\n\nThis is from last night's data-loss incident. Find the root "
        "cause across these systems and give me a fix with a proof sketch that it can't "
        "happen again.",
    ],
    "concurrency_debugging": [
        "Our Rust gateway (tokio 1.37, multi-thread runtime, 8 workers) freezes completely "
        "once every few days at high concurrency: no panic, CPU drops to zero, every request "
        "times out. tokio-console shows all workers parked in std::sync::Mutex::lock on the "
        "session cache. The code holds a std MutexGuard (wrapped in a struct, so clippy "
        "didn't flag it) across an .await on a Redis lookup, and a spawn_blocking path takes "
        "the same lock. Explain the exact deadlock on the tokio scheduler, why it needs load "
        "to trigger, the right fix (tokio Mutex, restructuring, sharding or a concurrent "
        "map), and how to be sure there isn't a second instance.",
        "A lock-free single-producer single-consumer ring buffer in C++17 (head and tail are "
        "std::atomic<size_t>; the producer writes buffer[tail] and then does tail.store(t + "
        "1, memory_order_relaxed); the consumer loads tail relaxed and reads buffer[head]) "
        "ran for two years on x86. On AWS Graviton3 we get one corrupted market-data message "
        "per ~2 billion. Explain, in terms of the C++ memory model and ARMv8's weaker "
        "ordering, why this is a data race, why x86 hid it, exactly which orderings are "
        "needed where and why acquire/release suffices, whether false sharing of head and "
        "tail matters, and how to test for such bugs (litmus tests, TSan, herd7).",
        "Our Java 17 service handles requests on a fixed pool of 32 threads; each request "
        "calls supplyAsync(..., sameExecutor) for three downstream calls and then join()s "
        "them. Above roughly 40 concurrent requests the service stops responding completely "
        "and thread dumps show all 32 threads WAITING in CompletableFuture.join; sometimes "
        "it recovers after a downstream timeout. Explain the starvation deadlock, derive the "
        "concurrency threshold, and compare fixes: separate pools, non-blocking composition "
        "with thenCombine, or Java 21 virtual threads, including whether virtual threads can "
        "still pin and deadlock inside synchronized blocks.",
        "Our C++ seqlock shares a 64-byte pricing struct between one writer and 20 readers, "
        "and about once an hour under load a reader returns a torn value (bid from one "
        "update, ask from the previous). Readers memcpy the struct between two acquire loads "
        "of the sequence counter; the writer increments seq relaxed, memcpys, then "
        "increments again with release. Explain why this is broken under the C++ memory "
        "model, which compiler and CPU reorderings actually bite on x86-64, derive the "
        "correct fences, and cover Boehm's point about data races on the payload.",
        "Rare hang in a Go pipeline: fan-out to 16 workers, fan-in to a results channel, "
        "errgroup with a shared context. About once per 50,000 jobs it never finishes. The "
        "dump shows workers blocked on 'results <- r', the collector blocked in g.Wait(), "
        "and the producer already returned because ctx was cancelled by one worker's error. "
        "Explain the deadlock and why it depends on timing, show the correct structure (who "
        "closes which channel, where to select on ctx.Done()), and argue that the fixed "
        "version can neither deadlock nor leak goroutines under any interleaving.",
        "Our lock-free Treiber stack in Rust (AtomicPtr with compare_exchange, nodes freed "
        "immediately after pop) passes loom tests but segfaults in production about once a "
        "day under jemalloc. Explain the ABA and use-after-free paths step by step, why our "
        "loom model didn't find them, and choose between epoch-based reclamation "
        "(crossbeam-epoch) and hazard pointers for a read-heavy workload, with the "
        "correctness argument for the chosen scheme.",
        "Why would a C++ thread pool using std::condition_variable occasionally lose a "
        "wakeup under load and sleep forever with work queued? Find every race in that "
        "pattern and prove the fix.",
        "A Java matching engine stops its worker thread by setting a plain boolean 'running' "
        "to false from another thread; after JIT warm-up the loop sometimes never exits, and "
        "on a 32-bit ARM gateway we also see impossible values in a shared long sequence "
        "counter. Explain both through the Java Memory Model (happens-before, C2 loop "
        "hoisting, non-atomic long writes), and give fixes with the ordering argument for "
        "each, including whether VarHandle acquire/release is enough.",
    ],
    "threat_model": [
        "Context: we're 25 engineers, SOC 2 Type II audited, with no dedicated red team, and "
        "the auditors want this before the penetration test in six weeks. Assume a motivated "
        "external attacker, a malicious tenant or user, and a compromised employee laptop. "
        "Produce a complete threat model for {gh_threat_arch}: a textual data-flow diagram, "
        "trust boundaries, STRIDE per element, attack trees for the two highest-impact "
        "attacker goals, mitigations mapped to each threat, and the residual risk you would "
        "accept and why.",
        "We're about to launch {gh_threat_arch}. I need a full threat model for the security "
        "review board: assets, adversaries and their capabilities, entry points, STRIDE "
        "analysis, abuse cases, prioritised mitigations with effort estimates, detection and "
        "response, and residual risks. Our stack is AWS with Terraform, GitHub Actions, Okta "
        "for staff SSO and Datadog for logs. Assume the attacker has read our public docs "
        "and our open-source client code, and write it so an engineer can turn each "
        "mitigation into a ticket.",
        "Complete STRIDE threat model with attack trees and residual risk for {gh_threat_arch}.",
        "Threat-model our passwordless login: WebAuthn passkeys as primary, email magic "
        "links as fallback, SMS OTP for account recovery, a session service issuing "
        "15-minute JWTs plus refresh tokens in httpOnly cookies, and an admin console behind "
        "Okta. 4M consumer accounts, some holding stored balances. Enumerate trust "
        "boundaries, do STRIDE per component, build attack trees for account takeover and "
        "for mass session theft, rate each threat, propose mitigations, and state the "
        "residual risk of each recovery path.",
        "Full threat model for a water utility's SCADA modernisation: 60 remote pumping "
        "stations with PLCs speaking Modbus/TCP, cellular links to a central historian, a "
        "new cloud dashboard for engineers, and vendor remote access through a jump host. "
        "Use IEC 62443 zones and conduits together with STRIDE, consider nation-state and "
        "insider adversaries, give attack trees for 'cause an overflow or contamination' and "
        "'ransom the control network', map mitigations, and list the residual risks the "
        "board has to accept.",
        "Threat-model our ML platform end to end: data scientists pull open-weight models "
        "from Hugging Face, fine-tune them on customer-support transcripts in a shared "
        "Kubernetes GPU cluster, push artifacts to an internal registry, and serve them "
        "through a RAG API that retrieves from Confluence and Jira. Cover model supply-chain "
        "attacks (pickle deserialisation, poisoned weights), data poisoning, prompt "
        "injection through retrieved documents, GPU tenant isolation and PII exfiltration "
        "through outputs, with trust boundaries, STRIDE, attack trees and residual risk.",
        "Threat model for our mobile banking app (iOS and Android): certificate pinning, a "
        "backend-for-frontend API, third-party analytics SDKs, open-banking aggregation via "
        "OAuth with 30 other banks, and transaction approval by push notification. I want "
        "assets, adversaries, trust boundaries, STRIDE per component, attack trees for "
        "fraudulent transfers, mitigations and residual risk. PSD2 strong customer "
        "authentication and the EBA guidelines on ICT risk apply, and our last pen test "
        "found a jailbreak-detection bypass and verbose error messages in the BFF. Rank "
        "threats by likelihood and impact and say which residual risks need the CISO's sign-off.",
        "Give me an attack tree and a full threat model for Kubernetes multi-tenancy with "
        "untrusted workloads.",
        "Do a complete threat model of a zero-knowledge password manager: browser-extension "
        "autofill, desktop and mobile apps, a sync server storing encrypted vaults, recovery "
        "via a printed recovery kit, and enterprise SSO with key escrow. Consider a "
        "malicious server, a compromised extension update, clickjacking of autofill, memory "
        "scraping and weak master passwords; include trust boundaries, STRIDE, attack trees "
        "and residual risk. Assume 3M users and 40k business seats, a sync server we run on "
        "GCP, and an extension that auto-updates through the browser stores.",
    ],
    "scientific_reasoning": [
        "Explain from first principles why the Born-Oppenheimer approximation breaks down "
        "near conical intersections: start from the molecular Hamiltonian, show where the "
        "non-adiabatic coupling terms come from and why they diverge as electronic states "
        "become degenerate, what the geometric phase does to the nuclear wavefunction, and "
        "why this matters for the sub-picosecond isomerisation of retinal in rhodopsin. "
        "Graduate level, equations welcome.",
        "I'm a second-year physics PhD student and keep getting this wrong in "
        "qualifying-exam practice. Why does mean-field (Landau) theory get the critical "
        "exponents of the 3D Ising model wrong while it is exact above four dimensions? "
        "Derive the Ginzburg criterion, explain the upper critical dimension, and sketch how "
        "the renormalisation group and the epsilon expansion correct the exponents.",
        "Derive the Chandrasekhar limit from first principles and explain why relativistic "
        "degeneracy pressure can't hold the star up.",
        "Derive the conditions under which Ricardian equivalence holds in an "
        "infinite-horizon model, then show exactly how each failure (liquidity constraints, "
        "finite lives without bequests, distortionary taxes, uncertainty about future taxes) "
        "breaks it, and use this to judge whether the 2021 US stimulus cheques should have "
        "raised consumption. PhD-macro level. Be explicit about the budget constraints and "
        "the Euler equation, and about what the rebate-timing studies of 2001 and 2008 found "
        "about marginal propensities to consume.",
        "Lewontin's paradox: neutral theory predicts diversity proportional to N_e·μ, yet "
        "genetic diversity varies only about 100-fold across species whose census sizes "
        "differ by many orders of magnitude. Reason from population-genetic first principles "
        "through the explanations (linked selection and genetic draft, fluctuating "
        "population size, mutation-rate evolution), derive the key expressions, and weigh "
        "the evidence from recent genome-wide studies.",
        "We fit kinetic models to single-cell data where enzyme copy numbers are in the same "
        "range as substrate molecules, and reviewers say our rate constants are biased. "
        "Derive Michaelis-Menten kinetics from mass action under the quasi-steady-state "
        "assumption, state precisely when that assumption holds (the Segel-Slemrod "
        "criterion), show why it fails when enzyme and substrate concentrations are "
        "comparable, and derive the total QSSA that fixes it. What does this mean for "
        "fitting in-vivo kinetics?",
        "Derive Kolmogorov's −5/3 spectrum from the K41 assumptions, then explain why "
        "intermittency breaks self-similarity.",
        "Explain from first principles why CO2 forcing grows roughly logarithmically with "
        "concentration rather than linearly: band saturation, the wings of the 15 μm band, "
        "the emission-height argument, where the logarithmic law breaks at very low or very "
        "high concentrations, and an estimate of the ~3.7 W/m² forcing per doubling. Then "
        "explain why warming per doubling is far less certain than the forcing (Planck "
        "response, water-vapour and lapse-rate feedbacks, clouds) and why that makes "
        "equilibrium climate sensitivity a distribution rather than a number.",
    ],
    "research_programme": [
        "Draft an 18-month research programme to test whether sparse-autoencoder features in "
        "protein language models correspond to biophysically meaningful properties "
        "(secondary structure, binding sites, stability). Give specific aims and hypotheses, "
        "methods (feature extraction, causal interventions, wet-lab validation with a "
        "partner lab), datasets, metrics, quarterly milestones, staffing (2 postdocs, 1 "
        "engineer), a budget around 900k USD including compute, the main risks with "
        "mitigations, and what we'd publish at each stage.",
        "Plan a three-year research programme on the operational stability of "
        "perovskite-silicon tandem solar cells: degradation mechanisms to isolate, "
        "accelerated-ageing protocols and their validity, in-situ characterisation, "
        "encapsulation work packages, go/no-go decision points, an equipment and personnel "
        "budget of about 2.5M EUR, and the risks. We're a university group of six with a "
        "partner module manufacturer; the funder wants a T80 lifetime equivalent to 25 years "
        "outdoors, or a convincing path to it, by the end. Say what we measure, how often, "
        "and which result would make us stop.",
        "I'm starting a lab in environmental microbiology. Design a 24-month programme to "
        "quantify antimicrobial-resistance gene flows from hospital wastewater through "
        "treatment plants into rivers: aims, a sampling design across seasons, metagenomics "
        "and qPCR methods, the bioinformatics pipeline, statistics, ethics and data sharing, "
        "milestones, budget, and a contingency plan if sequencing depth turns out to be "
        "insufficient.",
        "Propose a six-month research plan for our ML team to find out whether LLM-assisted "
        "proof generation can verify real production code in Lean or Dafny: research "
        "questions, a benchmark built without leakage, baselines, metrics, ablations, "
        "compute budget, team allocation, risks and the criteria for continuing. We have 4 "
        "engineers, 2,000 GPU-hours a month, and about 300k lines of Rust and Python in "
        "payment services we'd eventually like to target. Include how we'd catch the model "
        "proving weakened specifications.",
        "Design a multi-site research programme (4 countries, 3 years) on whether four-day "
        "working weeks change productivity and wellbeing: identification strategy, outcome "
        "measures, power calculations, data governance, partner recruitment, budget, and the "
        "threats to validity you would pre-register against. Firms range from 10 to 2,000 "
        "employees across manufacturing, services and the public sector, and they choose "
        "whether to join, so self-selection is a real problem. A foundation has offered 3M "
        "EUR; include the analysis plan and the ethics approval route.",
        "Write a two-year research programme, with aims, methods, risks and budget, testing "
        "whether coral heat tolerance can be transferred by microbiome transplants.",
        "Outline a 30-month research programme to build and validate a digital twin of a "
        "city's water distribution network for leak detection: four work packages, methods "
        "(hydraulic modelling, sensor-placement optimisation, Bayesian calibration), field "
        "trials, KPIs, a 1.8M EUR budget, risks and the exploitation plan.",
    ],
    "research_synthesis": [
        "Synthesise the conflicting evidence on growth-mindset interventions: the early "
        "small studies, the 2018 Sisk et al. meta-analyses with tiny effects, the 2019 "
        "National Study of Learning Mindsets with effects concentrated in lower-achieving "
        "students, and the later re-analyses. Build one account of when and for whom it "
        "works, grade the evidence for each claim (high, moderate, low), and describe the "
        "decisive next study.",
        "Reconcile the minimum-wage employment literature into one account: Card and "
        "Krueger, Neumark and Wascher's critiques, the two Seattle studies that disagreed, "
        "Cengiz et al.'s bunching estimator and the monopsony work. Explain why estimates "
        "differ (method, geography, size of the increase, horizon), grade each strand, and "
        "state what the evidence supports for a rise to 60% of the local median wage.",
        "Vitamin D and cancer mortality: observational studies show strong inverse "
        "associations, VITAL and D-Health found no effect on incidence but a possible "
        "mortality signal, and meta-analyses disagree. Synthesise all of it into one "
        "evidence-graded account, bring in the Mendelian randomisation results, and explain "
        "which biases plausibly drive the observational findings. Finally, specify the dose, "
        "population, outcome and sample size a trial would need to settle the mortality question.",
        "Synthesise the microfinance RCT literature (the six 2015 AEJ studies and later "
        "work) into one evidence-graded account of what it does and doesn't do.",
        "Across about 40 papers, the reported effect of ultra-processed food on all-cause "
        "mortality ranges from null to HR 1.6. Synthesise them: NOVA classification "
        "problems, confounding, dose-response, the 2019 metabolic-ward trial, mechanisms, "
        "and an evidence grade for each link in the causal chain, ending with the "
        "best-supported account and the key uncertainties.",
        "Synthesise the research on remote work and productivity: the Ctrip experiment, "
        "call-centre studies, pandemic-era surveys, the study of Indian IT professionals, "
        "and the 2024 hybrid-work RCT. Reconcile the conflicting results into one model of "
        "when remote work helps or hurts, with evidence grades. Separate output from hours "
        "worked and from innovation, fully remote from hybrid, and short-run from long-run "
        "effects such as mentoring of junior staff and promotions, and end with what the CEO "
        "of a 5,000-person software company should conclude.",
        "Bring together the ego-depletion evidence from the original studies through the "
        "2016 registered replication report and later multi-site studies: what went wrong, "
        "what survives, and how strong the evidence is now.",
    ],
    "agent_planning": [
        "Design an autonomous agent system for {gh_agent_domain}, end to end: agents and "
        "their roles, tools with permission scopes, short- and long-term memory, planning "
        "and re-planning, human-in-the-loop checkpoints, evaluation (offline benchmarks and "
        "online metrics), failure modes, safety constraints and audit logging. Assume a "
        "frontier LLM with function calling, access to email, a document store and the "
        "relevant SaaS APIs, and that a regulator may audit every action it has taken in the "
        "last seven years. Include a rollout plan from shadow mode to limited autonomy.",
        "We want an agent for {gh_agent_domain} with minimal human supervision. Specify the "
        "architecture: orchestration loop, tool APIs, memory stores, how it verifies its own "
        "outputs, how we evaluate it before and after launch, red-teaming, kill switches, "
        "and who is accountable when it is wrong. We handle about 20,000 cases a month and a "
        "wrong action costs about 300 EUR to undo; give concrete schemas for the three most "
        "important tools.",
        "Architect a fleet of coding agents that triage and fix flaky tests across a "
        "monorepo of 4,000 services: how they reproduce flakes (reruns, seeds, container "
        "snapshots), which tools they may call, sandboxing, how patches are validated before "
        "a human sees them, memory of past flake patterns, metrics, cost controls, and what "
        "stops them from 'fixing' a test by deleting its assertions.",
        "Design an autonomous procurement agent for a hospital group: it watches stock "
        "levels in the ERP, negotiates with suppliers by email, and places orders up to 20k "
        "EUR. Cover the planning loop, tools and permissions, memory of supplier history, "
        "guardrails against prompt injection in supplier emails, approval thresholds, "
        "evaluation in a simulated market before go-live, and incident response.",
        "Design an autonomous research agent that runs wet-lab experiments through a "
        "cloud-lab API, including safety and evaluation.",
        "Plan a multi-agent system that watches 200 Kubernetes clusters and remediates "
        "incidents on its own: detection, diagnosis and action agents, runbook retrieval, "
        "blast-radius limits, dry-run and rollback, escalation to on-call, learning from "
        "postmortems, and how to measure that it reduces MTTR without causing outages. The "
        "clusters run on EKS and GKE, we get about 1,200 alerts a day of which 70% are "
        "noise, and on-call is 9 people. Define exactly what the agents may do without a "
        "human (restart, scale, roll back) and what always needs approval.",
        "Design the memory architecture and evaluation harness for a long-running assistant "
        "agent that manages a small business's bookkeeping, invoicing and tax deadlines for "
        "years: episodic versus semantic memory, retrieval, forgetting, consistency checks "
        "against the ledger, permissions on bank APIs, and how to tell whether it is getting "
        "better or worse over time.",
    ],
    "system_design": [
        "Design a multi-region payments ledger: 40k transfers/s at peak, 3 regions (us-east, "
        "eu-west, ap-south), no loss of acknowledged transfers (RPO 0), p99 under 150 ms for "
        "intra-region transfers, double-entry invariants enforced, EU customers' data "
        "resident in the EU. Cover the data model, the replication or consensus choice "
        "(Spanner-style, Calvin, or per-account home regions), cross-region transfers, "
        "idempotency, reconciliation, failover drills and cost.",
        "Design the backend for live sports streaming: 25M concurrent viewers at a World Cup "
        "final, a 2-second glass-to-glass target with low-latency HLS/CMAF, multi-CDN with "
        "real-time steering, DRM, server-side ad insertion and regional blackout rules. Give "
        "capacity numbers, origin shielding, failure modes and how you'd load-test it. "
        "Assume a 6 Mbps average bitrate and 5 renditions, estimate egress cost, and make "
        "sure a single CDN outage drops no more than 2% of viewers.",
        "Architect a feature store and online inference platform: 300k predictions/s at p99 "
        "under 20 ms across 4 regions, point-in-time-correct training data, streaming "
        "features from Kafka at 5M events/s, backfills, and online/offline consistency. "
        "Include storage choices, caches, skew detection and cost estimates.",
        "Design a globally consistent rate limiter for 2M requests/s across 12 regions, with "
        "numbers and failure modes.",
        "Design a collaborative document editor for 50M monthly users: CRDT versus OT with "
        "justification, offline editing, presence, 100 simultaneous editors per document, "
        "version history, permissions, search, multi-region deployment and the storage "
        "growth maths. Give numbers for peak operations per second, the snapshot and "
        "compaction strategy for operation logs, and what users see when two regions edit "
        "the same paragraph during a partition.",
        "Design an observability pipeline ingesting 30 TB/day of logs, 50M active metric "
        "series and 2M spans/s for 800 teams: ingestion, tail-based sampling, storage tiers, "
        "query latency targets, per-tenant quotas, retention, cost per GB, and what breaks "
        "first at 3x growth.",
        "Design a national e-prescription system: 400k prescribers, 20k pharmacies, 1.5M "
        "prescriptions a day, 99.99% availability, an offline fallback for pharmacies, "
        "controlled-substance rules, audit, FHIR interoperability and the migration from "
        "paper. It must integrate with 120 pharmacy software vendors, prescriptions are "
        "legal documents signed with qualified electronic signatures, and losing a regional "
        "data centre may cause at most 15 minutes of disruption. Include capacity planning, "
        "the data model and the rollout.",
        "Design the matching and pricing system of a ride-hailing marketplace in 60 cities: "
        "1M active drivers sending locations every 4 s, matching under 1 s, surge pricing, "
        "geo-sharding with H3, the edges between city shards, and regional failover.",
    ],
    "proof": [
        "Prove that every tournament has a Hamiltonian path.",
        "Prove Hall's marriage theorem.",
        "Prove that e is irrational.",
        "Prove Brooks' theorem.",
        "Prove rigorously that the halting problem is undecidable.",
        "Prove that every finite subgroup of the multiplicative group of a field is cyclic.",
    ],
    "competition_math": [
        "{gh_olympiad}",
        "Olympiad problem, full solution please: {gh_olympiad}",
        "Stuck on this one from a shortlist: {gh_olympiad} Hints aren't enough, I need the "
        "whole proof.",
        "Each point of the plane is coloured red or blue. Prove that some rectangle has all "
        "four vertices the same colour.",
        "Prove that 1 + 1/2 + ... + 1/n is never an integer for n > 1.",
        "Count the domino tilings of a 3×n board and prove your formula.",
        "Find all primes p and q such that p² − 2q² = 1.",
        "A 2023×2023 board has a coin on every square. A move flips any 2×2 block; can all "
        "the coins end up showing tails if exactly one starts as heads? Prove it.",
    ],
    "causal_inference": [
        "We have EHR data on 2.1M adults with type 2 diabetes and want the effect of "
        "starting SGLT2 inhibitors versus DPP-4 inhibitors on acute kidney injury within two "
        "years. Design the target-trial emulation: eligibility, time zero, grace periods, "
        "avoiding immortal-time and prevalent-user bias, time-varying confounding (eGFR, "
        "co-medication) with marginal structural models or the g-formula, censoring weights, "
        "negative-control outcomes, E-values, and how we'd know whether to trust the result.",
        "Our two-sided marketplace ran a user-level A/B test of a new pricing algorithm and "
        "saw +4% GMV, but buyers and sellers share inventory. Explain the interference bias "
        "formally (SUTVA violation), design a switchback or cluster-randomised experiment "
        "across 120 cities, derive the estimator and its variance, and estimate how much "
        "power we lose. We have 18 months of hourly city-level data, about 40k sellers, and "
        "strong day-of-week and weather effects.",
        "37 US states adopted paid family leave between 2004 and 2022 and we used two-way "
        "fixed effects. Explain precisely why TWFE can be biased with heterogeneous effects "
        "(Goodman-Bacon decomposition, negative weights), compare Callaway-Sant'Anna, "
        "Sun-Abraham and de Chaisemartin-D'Haultfœuille for our setting, and show how to "
        "test parallel trends credibly. The outcome is mothers' employment from CPS "
        "microdata, some states changed benefit levels after adoption, and laws pass a year "
        "before they take effect, so anticipation is likely.",
        "Prove the front-door adjustment formula with do-calculus and say when it identifies "
        "an effect the back-door criterion can't.",
        "Design a Mendelian randomisation study of alcohol intake on blood pressure using UK "
        "Biobank and East Asian cohorts (the ALDH2 variant): instrument selection, the "
        "exclusion restriction, pleiotropy-robust methods (MR-Egger, weighted median, "
        "MR-PRESSO), sex-stratified analysis as a negative control, and how to interpret "
        "disagreement between the European and East Asian results.",
    ],
    "legal_analysis": [
        "Our Danish genomics start-up wants to process whole-genome data from patients in "
        "Germany, the US (California and Texas), the UK and China on one cloud platform. "
        "Analyse GDPR (Art. 9, Art. 89 research exemptions, Germany's BDSG derogations), "
        "post-Schrems II transfers and the EU-US Data Privacy Framework, the UK IDTA, HIPAA "
        "and California's CPRA and genetic privacy law, and China's PIPL and human genetic "
        "resources rules; identify direct conflicts, what cannot be done lawfully at all, "
        "and a compliant architecture with the residual legal risk.",
        "We plan to issue a governance token for a DeFi protocol with fee-sharing to "
        "stakers. Analyse its status under the US Howey test and recent SEC enforcement and "
        "case law, the EU's MiCA (ART, EMT or other crypto-asset, and the white-paper and "
        "CASP obligations), Singapore's Payment Services Act and FINMA's token taxonomy; map "
        "the conflicts, which design changes change the classification, and the enforcement "
        "risk in each jurisdiction. The foundation would sit in Switzerland and the "
        "development company in Delaware.",
        "Our VP of engineering is leaving the London office for a competitor in California. "
        "Her contract is under English law, her equity from our Delaware parent comes with a "
        "non-compete governed by Delaware law, and she'll manage a team in Germany. Analyse "
        "the non-compete, non-solicit and confidentiality obligations under English "
        "restraint-of-trade law, California Business and Professions Code 16600 and 16600.5, "
        "Delaware's recent case law and German law (Karenzentschädigung under HGB §74), and "
        "recommend a negotiation and litigation strategy.",
        "Who is liable, and where, when a Level 3 automated car built by a German OEM, "
        "running software from a US supplier, crashes in France while rented by a UK "
        "tourist? Analyse the revised EU Product Liability Directive (software as a "
        "product), France's Loi Badinter, the UK Automated Vehicles Act 2024, German "
        "road-traffic law on automated driving, the supplier's US exposure, and the "
        "conflict-of-laws rules (Rome II, the Hague Traffic Accidents Convention). Also say "
        "which insurer pays first and who can recover from whom.",
        "Compare how US fair use, the EU's text-and-data-mining exceptions, the UK and Japan "
        "treat training AI models on copyrighted books.",
    ],
}

SEEDS_GAP_HARD2: list[tuple[int, str, str]] = [
    (4, cat, t) for cat, ts in _TIER4.items() for t in ts
]
