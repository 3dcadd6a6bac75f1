"""A sixth multilingual batch: everyday sums and one-fact asks in the seven other languages.

Written for this project (issue 11, 2026-12-05) from the ladder's definitions alone, without
reading any evaluation set. Two gaps of the own data, found by counting its rows:

* **everyday money and percentages**: prices after a discount, a tip, a rise, a share of a bill,
  VAT, a unit price. In French "après" occurred in 12 rows, 6 of them tier 3, "prix" in 6, all
  tier 3 or 4, and "remise" in 2; the other languages had two or three such templates each. A
  one-operation sum in these words is tier 1 (a conversion, asked as one); the same words in a
  budget to plan over months, a comparison of offers with their conditions or a several-part
  business case are tier 3, and some are written here so that the words themselves do not
  become cheap.
* **tier 1 in Chinese and Japanese**: look-ups, conversions, yes/no questions, the meaning or the
  writing of a word, asked in a line, where the model most often sent a one-fact question to
  ``medium``.

``(tier, category, template)`` per language, no slots (each template gives two rows: as written,
and varied by :func:`~.ladder_data._vary_intl`). One fifth of the templates is held out by the same
stable hash as every batch.
"""

from __future__ import annotations

SEEDS_INTL6: dict[str, list[tuple[int, str, str]]] = {
    "es": [
        (1, "percentages", "Unas zapatillas cuestan 80 € y en rebajas las dejan un 30 % más baratas. ¿Qué precio se quedan?"),
        (1, "percentages", "¿Cuánto es el IVA del 21 % sobre una factura de 150 euros?"),
        (1, "percentages", "si me suben el sueldo de 1.800 a 1.890 euros, ¿qué porcentaje es?"),
        (1, "everyday_math", "Somos 6 y la cuenta del restaurante es 138 €. ¿Cuánto pone cada uno?"),
        (1, "everyday_math", "el kilo de tomates está a 2,30 €, ¿cuánto me cuestan 3 kilos y medio?"),
        (1, "unit_conversion", "¿Cuántos mililitros son tres cuartos de litro?"),
        (1, "fact_lookup", "¿Cuántos habitantes tiene más o menos Zaragoza?"),
        (1, "spelling", "¿Se escribe «haber» o «a ver» en «vamos a ver qué pasa»?"),
        (2, "explain", "Explícame con un ejemplo sencillo cómo se calcula un descuento del 15 % y luego otro del 10 % sobre el precio rebajado."),
        (3, "finance_analysis", "Tengo dos ofertas de hipoteca: una al 3,1 % fijo a 25 años y otra variable a euríbor + 0,9 % con comisión de apertura del 1 %. Para 180.000 €, compara la cuota, el coste total y el riesgo si el euríbor sube dos puntos, con una tabla y una recomendación razonada."),
    ],
    "fr": [
        (1, "percentages", "Une paire de baskets coûte 90 € et les soldes font -40 %. Ça revient à combien ?"),
        (1, "percentages", "Combien je paie pour un canapé affiché 700 € si on me fait 15 % de réduction ?"),
        (1, "percentages", "Un pourboire de 10 % sur une addition de 64 €, ça fait combien ?"),
        (1, "percentages", "Mon abonnement passe de 20 € à 23 € par mois : c'est une hausse de combien de pour cent ?"),
        (1, "everyday_math", "On est 4 à partager une location à 520 € la semaine, combien chacun ?"),
        (1, "everyday_math", "Le prix du litre d'essence est de 1,85 €. Combien me coûte un plein de 45 litres ?"),
        (1, "everyday_math", "Quel est le prix hors taxe d'un article vendu 120 € TTC avec une TVA de 20 % ?"),
        (1, "unit_conversion", "Combien de minutes dans 2 h 45 ?"),
        (1, "fact_lookup", "C'est quoi le chef-lieu du département de l'Aveyron ?"),
        (1, "spelling", "On écrit « quelque temps » ou « quelques temps » ?"),
        (2, "explain", "Explique à mon fils de CM2 comment on calcule un prix après une baisse de 20 %, avec un exemple."),
        (3, "finance_analysis", "Je veux acheter une voiture d'occasion à 14 000 € : prêt sur 4 ans à 5,2 %, ou LOA à 230 € par mois après un apport de 2 000 € avec option d'achat à 6 500 €. Compare le coût total des deux, ce qui se passe si je roule plus que prévu, et dis-moi laquelle choisir et pourquoi, tableau à l'appui."),
        (3, "plan", "Aide-moi à construire un budget mensuel détaillé pour un couple avec 3 400 € de revenus, un loyer de 950 €, un crédit auto et deux enfants, avec un plan d'épargne sur 12 mois et ce qu'on peut réduire en priorité après la rentrée."),
    ],
    "de": [
        (1, "percentages", "Eine Jacke kostet 120 € und ist im Sale um 35 % reduziert. Was zahle ich an der Kasse?"),
        (1, "percentages", "Wie viel Mehrwertsteuer sind 19 % von 84 Euro?"),
        (1, "percentages", "die miete steigt von 800 auf 860 euro, um wie viel prozent ist das"),
        (1, "everyday_math", "Wir sind zu fünft und die Pizza kostet insgesamt 47,50 €. Wie viel zahlt jeder?"),
        (1, "everyday_math", "Ein Liter Milch kostet 1,19 €. Was kosten 6 Liter?"),
        (1, "unit_conversion", "Wie viele Gramm sind 2,5 Pfund?"),
        (1, "fact_lookup", "In welchem Bundesland liegt Rügen?"),
        (1, "spelling", "Schreibt man „seit“ oder „seid“ in „ich warte seit einer Stunde“?"),
        (2, "explain", "Erklär mir kurz mit einem Beispiel, wie man einen Preis vor dem Rabatt ausrechnet, wenn man nur den reduzierten Preis kennt."),
        (3, "finance_analysis", "Ich überlege, ob ich eine Photovoltaikanlage für 14.000 € kaufe oder für 110 € im Monat miete. Rechne mir für 20 Jahre mit Strompreis 0,35 €/kWh, 4.500 kWh Verbrauch und 8 Cent Einspeisevergütung durch, was sich wann lohnt, und nenne die Annahmen, die das Ergebnis kippen."),
    ],
    "pt": [
        (1, "percentages", "Um tênis custa R$ 300 e está com 25% de desconto. Quanto vou pagar?"),
        (1, "percentages", "Quanto é uma gorjeta de 10% numa conta de 85 euros?"),
        (1, "percentages", "o aluguel passou de 2.000 para 2.150 reais, quantos por cento subiu?"),
        (1, "everyday_math", "Somos 3 amigos e a viagem de Uber deu R$ 57. Quanto cada um paga?"),
        (1, "everyday_math", "O quilo do café está 42 reais. Quanto custam 250 gramas?"),
        (1, "unit_conversion", "Quantos centímetros tem um pé?"),
        (1, "fact_lookup", "Qual é o DDD de Curitiba?"),
        (1, "spelling", "Escreve-se «excessão» ou «exceção»?"),
        (2, "explain", "Me explica de um jeito simples a diferença entre juros simples e compostos, com um exemplo pequeno."),
        (3, "finance_analysis", "Tenho R$ 50 mil para investir por 3 anos. Compare CDB a 110% do CDI, Tesouro IPCA+ e um fundo imobiliário que paga 0,8% ao mês, considerando imposto de renda, liquidez e risco, com uma tabela e uma recomendação para quem pode precisar do dinheiro no segundo ano."),
    ],
    "zh": [
        (1, "percentages", "一件衣服原价300元，现在打八折，要付多少钱？"),
        (1, "percentages", "工资从6000涨到6600，涨了百分之几"),
        (1, "everyday_math", "我们四个人吃饭一共花了368元，AA每人多少"),
        (1, "everyday_math", "苹果8块5一斤，买3斤要多少钱"),
        (1, "unit_conversion", "一加仑大概是多少升"),
        (1, "unit_conversion", "37摄氏度是多少华氏度"),
        (1, "fact_lookup", "洞庭湖在哪个省"),
        (1, "fact_lookup", "一年有多少个星期"),
        (1, "yes_no", "西红柿是水果吗 是还是不是"),
        (1, "spelling", "“再接再厉”的“厉”是哪个字，是不是“励”"),
        (1, "meaning", "“内卷”是什么意思？一句话解释"),
        (1, "faq", "身份证丢了去哪里补办"),
        (2, "explain", "用简单的例子给小学生讲讲怎么算打折后的价格"),
        (3, "finance_analysis", "我想在杭州买房，总价300万，首付三成，贷款30年，利率3.5%。请分别算等额本息和等额本金的月供、总利息，并结合我们家月收入2.5万的情况分析哪种更合适，列表说明。"),
    ],
    "ja": [
        (1, "percentages", "5000円のシャツが3割引きだといくらになりますか"),
        (1, "percentages", "時給1100円から1200円に上がったら何パーセントアップ？"),
        (1, "everyday_math", "飲み会の会計が18000円で6人なら一人いくら？"),
        (1, "everyday_math", "1個120円のおにぎりを4個買うといくら？"),
        (1, "unit_conversion", "1インチは何センチですか"),
        (1, "unit_conversion", "2リットルは何ミリリットル？"),
        (1, "fact_lookup", "琵琶湖って何県にありますか"),
        (1, "fact_lookup", "東京タワーの高さは何メートル？"),
        (1, "yes_no", "トマトって野菜？果物？どっち"),
        (1, "spelling", "「こんにちは」と「こんにちわ」、正しいのはどっち？"),
        (1, "meaning", "「忖度」ってどういう意味？簡単に"),
        (1, "faq", "パスポートの更新ってどこでできますか"),
        (2, "explain", "割引の計算のしかたを小学生にもわかるように例を一つ使って説明して"),
        (3, "finance_analysis", "住宅ローン3500万円、35年、変動金利0.5%と固定金利1.8%で迷っています。毎月の返済額と総返済額を比べて、金利が2%上がった場合のリスクも含めて、共働き世帯にどちらが向いているか表にまとめて説明してください。"),
    ],
    "hi": [
        (1, "percentages", "500 रुपये की शर्ट पर 20% छूट है, कितने देने होंगे?"),
        (1, "percentages", "सैलरी 30000 से 33000 हो गई, कितने प्रतिशत बढ़ी?"),
        (1, "everyday_math", "हम 5 दोस्तों का खाने का बिल 1250 रुपये आया, हर एक को कितना देना है?"),
        (1, "everyday_math", "1 किलो आलू 30 रुपये का है, ढाई किलो कितने का होगा?"),
        (1, "unit_conversion", "पाँच फुट छह इंच को सेंटीमीटर में बदलो"),
        (1, "fact_lookup", "गोवा की राजधानी का नाम क्या है?"),
        (1, "spelling", "सही शब्द कौन सा है: 'आशीर्वाद' या 'आर्शीवाद'?"),
        (2, "explain", "बच्चे को आसान उदाहरण से समझाइए कि डिस्काउंट के बाद कीमत कैसे निकालते हैं"),
        (3, "finance_analysis", "मेरे पास 5 लाख रुपये हैं। FD (7% ब्याज), PPF और इंडेक्स फंड SIP की 10 साल के लिए तुलना कीजिए: टैक्स, जोखिम, लिक्विडिटी और अनुमानित रिटर्न के साथ एक टेबल बनाइए और बताइए कि 35 साल के नौकरीपेशा व्यक्ति के लिए क्या सही रहेगा।"),
    ],
}
