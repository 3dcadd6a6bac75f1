"""Maths across the whole ladder (written for this project from the ladder's definitions).

School maths was the ladder's blind spot: its only maths rows were bare arithmetic (tier 1),
long compound word problems (tier 3) and olympiad problems and proofs (tier 4), and only
the tier-4 rows said "find", so "find its area" after a two-line school problem went to
``frontier``. The same verbs now occur on every rung, and the difficulty has to come from
the problem itself:

* tier 1: school maths asked as a computation (one formula or one operation): the area of a
  rectangle, a percentage, a mean, change from a note, the next term of a simple sequence,
  and everyday money sums ("a ticket costs ...; how much do 3 cost?"; "costs" had appeared
  only in tier-3 business and loan problems);
* tier 2: school maths asked as teaching or checking: homework help, "is my answer right?",
  "how do I work this out?";
* tier 3: long grade-school problems with several parts and a request to show and check
  the work, small statistics on pasted numbers;
* tier 4: competition and olympiad problems phrased "find", "compute", "calculate",
  "work out", "determine", in English and in the seven other languages.

Short multi-step word problems ("a jacket is reduced by 25% and then by 10%: find the final
price") were written as tier 2 too and left out: the model cannot tell one step from three on
the surface, so they went to tier 1 about half the time and their 1-versus-2 churn cost the
own cross-validation 1-2 points (BENCHMARKS.md). Trained without them, such problems land
on tier 1 or 2 (``tests/unit/shared_core/test_ladder_maths.py``), which is what matters for
cost. The slotted templates here get :data:`~.ladder_data.LATE_FILLS` fills each.

Same ``(tier, category, template)`` form as :mod:`.ladder_seeds_en`; slot names start with
``mx_`` so they cannot collide with the shared slots.
"""

from __future__ import annotations

SLOTS_MATHS: dict[str, list[str]] = {
    "mx_a": ["6", "9", "12", "15", "24", "7.5", "40"],
    "mx_b": ["3", "4", "5", "8", "11", "2.5"],
    "mx_money": ["$36", "$80", "$125", "£45", "€60", "$64", "€240"],
    "mx_list": ["4, 8, 15, 16, 23", "12, 7, 9, 10, 12", "3.5, 4.0, 2.5, 5.0", "71, 85, 90, 64",
                "18, 22, 20, 25, 19, 24"],
    "mx_seq": ["3, 7, 11, 15", "2, 4, 8, 16", "100, 90, 80, 70", "1, 4, 9, 16", "5, 10, 20, 40"],
    "mx_change": ["$13.45 with a $20 note", "£37.20 with a £50 note", "€6.85 with a €10 note",
                  "$72.10 with a $100 bill"],
    "mx_frac": ["18/24", "45/60", "14/35", "12/16"],
    "mx_decimal": ["3.456", "12.049", "0.875", "7.95"],
    "mx_total": ["40", "96", "120", "60"],
    "mx_hw": [
        "Sara buys 3 notebooks at $2.40 each and a pen for $1.15. She pays with a $10 note. How much change "
        "does she get?",
        "A garden is 12 m long and 7 m wide. Fencing costs $9 per metre. How much does it cost to fence it?",
        "A bus holds 52 people. How many buses are needed for 230 pupils and 18 teachers?",
        "Liam reads 24 pages a day. His book has 312 pages and he has read 96. How many more days does he need?",
        "A square has an area of 81 cm². What is its perimeter?",
        "Two angles of a triangle are 47° and 68°. What is the third angle?",
        "A shop sells 3 kg of oranges for $4.50. How much do 5 kg cost?",
        "Mia is 4 years older than her brother. Together they are 22. How old is each?",
        "A cuboid box is 20 cm by 15 cm by 10 cm. What is its volume in litres?",
        "A map has a scale of 1:25,000. Two villages are 6 cm apart on the map. How far apart are they in km?",
    ],
    "mx_item": ["notebook", "coffee", "cinema ticket", "bag of rice", "T-shirt", "train pass", "lamp"],
    "mx_school_verb": ["Find", "Work out", "Calculate", "Compute"],
    "mx_comp": [
        "Find all functions f: R -> R such that f(x + f(y)) = f(x) + y for all real x and y.",
        "Find the smallest positive integer n such that n^2 + n + 41 is not prime, and prove that every smaller "
        "n gives a prime.",
        "Compute the number of ordered pairs (a, b) of integers with 1 <= a, b <= 100 such that a^2 + b^2 is "
        "divisible by 7.",
        "In triangle ABC with AB = 13, BC = 14 and CA = 15, find the distance between the incentre and the "
        "circumcentre.",
        "Find all pairs of integers (x, y) with x^3 + y^3 = (x + y)^2.",
        "Determine the remainder when 3^2025 + 5^2025 is divided by 13, and prove the periodicity you use.",
        "Calculate the number of lattice paths from (0, 0) to (n, n) that never rise above the diagonal, and "
        "prove the formula bijectively.",
        "Find every prime p for which p^2 + 2 is also prime, and prove there are no others.",
        "Work out, with proof, the largest number of kings that can be placed on an 8x8 board with no two "
        "attacking each other.",
        "Find the maximum of xy + yz + zx over real x, y, z with x + y + z = 1 and x^2 + y^2 + z^2 = 1, "
        "and prove it is the maximum.",
        "Compute the sum of floor(k^2 / 2027) for k = 1 to 2026 in closed form.",
        "Find all positive integers n such that 2^n + 1 is divisible by n^2.",
    ],
}

_TIER1: list[str] = [
    "{mx_school_verb} the area of a rectangle that is {mx_a} cm long and {mx_b} cm wide.",
    "{mx_school_verb} the perimeter of a square with sides of {mx_a} m.",
    "Calculate {pct}% of {mx_money}.",
    "find the mean of {mx_list}",
    "What's the next number in the sequence {mx_seq}?",
    "I pay {mx_change}. Work out my change.",
    "Round {mx_decimal} to one decimal place.",
    "Find the lowest common multiple of {m} and {k}.",
    "Calculate the volume of a cube with edges of {mx_b} cm.",
    "Simplify the fraction {mx_frac}.",
    "{mx_school_verb} the area of a triangle with a base of {mx_a} cm and a height of {mx_b} cm.",
    "Calculate the circumference of a circle with a radius of {mx_b} m (use pi = 3.14).",
    "A {mx_item} costs {mx_money}. How much do {k} of them cost?",
    "One {mx_item} costs {mx_money}; what do {m} cost altogether?",
    "The {mx_item} I want is {pct}% off its usual price of {mx_money}. What's the sale price?",
    "Bananas cost $1.20 a kilo. How much do {k} kilos cost, and what change do I get from $10?",
    "{k} of us share a taxi that costs {mx_money}. How much does each person pay?",
]
"""One operation or one formula, asked directly (no story to read and set up)."""

_TIER2: list[str] = [
    "Can you help my kid with this homework problem? {mx_hw}",
    "Is my answer right? I got 12 for this one: {mx_hw}",
    "Explain how to work out the area of a trapezium, with one short example.",
]
"""School maths asked as teaching or checking."""

_TIER3: list[str] = [
    "A bakery sells {mx_total} loaves on Monday, 15% more on Tuesday and half of Tuesday's amount on "
    "Wednesday. Each loaf costs $1.20 to make and sells for $3.50, and the shop pays $90 a day in rent. "
    "Work out the profit for each day and for the three days together, show every step and check the "
    "answer a second way.",
    "Here are my electricity readings for six months: 312, 298, 341, 405, 388, 420 kWh. Calculate the mean "
    "and standard deviation, fit a straight-line trend, predict the next two months and say how much to "
    "trust the prediction.",
    "A school trip: {mx_total} pupils, coaches seat 49 and cost $420 each, entry is $12 per pupil with one free "
    "adult per 10 pupils and adults pay $15. Find the cheapest way to take everyone, the total cost and the "
    "price per pupil if adults go free; explain each step.",
    "Solve this step by step and explain your reasoning at each stage: a water tank loses 4% of what it "
    "holds every day and gets 30 litres of rain on days 3, 6 and 9. It starts with {mx_total}0 litres. "
    "How much is left after 10 days, and on which day does it first drop below half?",
]

_TIER4: list[str] = [
    "{mx_comp}",
    "{mx_comp} Justify every step.",
    "Competition practice: {mx_comp}",
    "From last year's national olympiad, full solution please: {mx_comp}",
    "Find all real solutions of the system x + y + z = 3, x^2 + y^2 + z^2 = 3, x^5 + y^5 + z^5 = 3, and "
    "prove there are no others.",
    "Compute the exact probability that a random permutation of 1..n has no cycle longer than n/2, and find "
    "its limit as n grows.",
    "Calculate the expected number of fair coin flips until the pattern HTH first appears, and prove the "
    "general formula for any pattern.",
    "Find the least n such that any 2-colouring of the edges of K_n contains a monochromatic triangle or a "
    "monochromatic 4-cycle, with proof.",
    "Work out the exact value of the product of (1 - 1/k^2) for k from 2 to infinity, and the product of "
    "(1 + 1/k^3) to as many terms as you can prove.",
    "Determine all integers n >= 3 for which a regular n-gon can be dissected into congruent triangles, "
    "and prove your answer.",
]

_INTL: dict[str, list[tuple[int, str, str]]] = {
    "es": [
        (1, "percentages", "¿Cuánto pago por unos zapatos de {mx_money} si tienen un {pct} % de descuento?"),
        (1, "percentages", "Si la cena fue {mx_money}, ¿cuánto es una propina del {pct} %?"),
        (1, "school_math", "Encuentra el perímetro de un triángulo con lados de {mx_a} cm, {mx_b} cm y 9 cm."),
        (1, "school_math", "¿Cuánto es el {pct} % de {mx_money}? Es para los deberes."),
        (2, "school_math", "Un tren recorre {mx_total} km en {mx_a} horas. Calcula su velocidad media y explica los pasos."),
        (1, "school_math", "Calcula el área de un rectángulo de {mx_a} cm por {mx_b} cm."),
        (1, "school_math", "Halla la media de {mx_list}."),
        (2, "school_math", "Mi hija tiene este problema de deberes: «Un autobús lleva {mx_total} pasajeros. En la "
                           "primera parada bajan {mx_a} y suben {k}, y en la segunda bajan la mitad.» ¿Cuántos "
                           "quedan? ¿Cómo se lo explico paso a paso?"),
        (4, "competition_math", "Encuentra todas las funciones f: ℝ → ℝ tales que f(x + y) = f(x) + f(y) + 2xy "
                                "para todo x, y, suponiendo f continua, y demuéstralo."),
    ],
    "fr": [
        (1, "percentages", "Combien coûte un billet de {mx_money} avec {pct} % de réduction ?"),
        (1, "percentages", "Un manteau à {mx_money}, il y a {pct} % de remise en caisse : je paie combien ?"),
        (1, "percentages", "Le loyer passe de {mx_money} avec une hausse de {pct} %, ça fait combien ?"),
        (1, "school_math", "Trouve l'aire d'un triangle de base {mx_a} cm et de hauteur {mx_b} cm."),
        (1, "school_math", "Calcule la moyenne de ces notes : {mx_list}."),
        (1, "school_math", "Trouvez le volume d'un cube de {mx_a} cm d'arête."),
        (2, "school_math", "Exercice de 5e : une voiture roule {mx_total} km en {mx_a} heures. Trouve sa vitesse moyenne et explique le calcul."),
        (1, "school_math", "Calcule le périmètre d'un carré de {mx_a} cm de côté."),
        (1, "school_math", "Combien font {pct} % de {mx_money} ?"),
        (4, "competition_math", "Trouver tous les entiers n ≥ 1 tels que n divise 2^n + 1. Démontrer "
                                "soigneusement le résultat."),
    ],
    "de": [
        (1, "percentages", "Was kostet ein Fahrrad für {mx_money} mit {pct} % Rabatt?"),
        (1, "percentages", "Wie viel Trinkgeld sind {pct} % bei einer Rechnung von {mx_money}?"),
        (1, "school_math", "Finde den Umfang eines Rechtecks mit {mx_a} cm und {mx_b} cm Seitenlänge."),
        (1, "school_math", "Wie viel sind {pct} % von {mx_money}?"),
        (2, "school_math", "Hausaufgabe: Ein Zug fährt {mx_total} km in {mx_a} Stunden. Berechne die Durchschnittsgeschwindigkeit und erkläre den Rechenweg."),
        (1, "school_math", "Berechne den Flächeninhalt eines Dreiecks mit Grundseite {mx_a} cm und Höhe "
                           "{mx_b} cm."),
        (4, "competition_math", "Finde alle Primzahlen p, für die 2^p + p^2 ebenfalls eine Primzahl ist, mit "
                                "vollständigem Beweis."),
    ],
    "pt": [
        (1, "percentages", "Quanto fica uma camisa de {mx_money} com {pct}% de desconto?"),
        (1, "percentages", "Se o salário é {mx_money} e tive {pct}% de aumento, quanto passo a ganhar?"),
        (1, "school_math", "Encontre a área de um quadrado com {mx_a} cm de lado."),
        (1, "school_math", "Qual é a média de {mx_list}?"),
        (2, "school_math", "Um ônibus leva {mx_total} passageiros e descem {mx_a} na primeira parada. Quantos ficam? Explica passo a passo para o meu filho."),
        (1, "school_math", "Calcule {pct}% de {mx_money}."),
        (4, "competition_math", "Calcule o número de subconjuntos de {1, 2, ..., 2000} cuja soma dos elementos é "
                                "divisível por 5, com demonstração completa."),
    ],
    "zh": [
        (1, "percentages", "一双鞋原价{mx_money}，打{pct}%的折扣后多少钱？"),
        (1, "percentages", "{mx_money}的{pct}%是多少？"),
        (1, "school_math", "求 {mx_list} 的平均数。"),
        (1, "school_math", "一个正方形边长{mx_a}厘米，求周长。"),
        (2, "school_math", "一辆车{mx_a}小时行驶{mx_total}千米，求平均速度，并写出步骤。"),
        (1, "school_math", "一个长方形长{mx_a}厘米，宽{mx_b}厘米，求它的面积。"),
        (4, "competition_math", "求所有函数 f: R → R，使得对任意实数 x, y 都有 f(x + f(y)) = f(x) + y，并给出完整证明。"),
    ],
    "ja": [
        (1, "percentages", "{mx_money}の商品が{pct}%引きだといくらになりますか？"),
        (1, "percentages", "{mx_money}の{pct}%はいくら？"),
        (1, "school_math", "{mx_list} の平均を求めてください。"),
        (1, "school_math", "一辺{mx_a}cmの正方形の周の長さを求めて。"),
        (2, "school_math", "車が{mx_a}時間で{mx_total}km走りました。平均の速さを求め、考え方も説明してください。"),
        (1, "school_math", "縦{mx_a}cm、横{mx_b}cmの長方形の面積を求めてください。"),
        (4, "competition_math", "n^2 + 2^n が平方数となる正の整数 n をすべて求めよ。解答には完全な証明を付けること。"),
    ],
    "hi": [
        (1, "percentages", "{mx_money} के जूते पर {pct}% छूट है, तो कितना देना होगा?"),
        (1, "percentages", "{mx_money} पर {pct}% टिप कितनी होगी?"),
        (1, "school_math", "{mx_list} का औसत ज्ञात कीजिए।"),
        (1, "school_math", "{mx_money} का {pct}% कितना होगा?"),
        (2, "school_math", "एक बस में {mx_total} यात्री हैं और पहले स्टॉप पर {mx_a} उतर जाते हैं। कितने बचे? बच्चे को स्टेप बाय स्टेप समझाइए।"),
        (1, "school_math", "एक आयत की लंबाई {mx_a} सेमी और चौड़ाई {mx_b} सेमी है। उसका क्षेत्रफल ज्ञात कीजिए।"),
        (4, "competition_math", "सभी धनात्मक पूर्णांक n ज्ञात कीजिए जिनके लिए n^2 + n + 1, n + 2 से विभाज्य है, और "
                                "पूरा प्रमाण दीजिए।"),
    ],
}

SEEDS_MATHS: list[tuple[int, str, str]] = (
    [(1, "school_math", t) for t in _TIER1]
    + [(2, "school_math", t) for t in _TIER2]
    + [(3, "math_word_problem", t) for t in _TIER3]
    + [(4, "competition_math", t) for t in _TIER4]
)
SEEDS_MATHS_INTL: dict[str, list[tuple[int, str, str]]] = _INTL
