package dev.switchboard.telco.offline;

import dev.switchboard.telco.offline.Knowledge.Intent;
import dev.switchboard.telco.offline.Knowledge.SlotType;
import dev.switchboard.telco.offline.Knowledge.SlotValue;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an utterance: cleans it up (accents, contractions, phrases, typos, plurals, synonyms), finds slot
 * values in it with rules, and scores it against every intent's examples. An intent's score is mostly meaning
 * ({@link Similarity}: the sentence embedding's cosine with the intent's nearest example), plus a share of word
 * overlap (a weighted Dice overlap of content words, each weighted by how few intents use it, slot values
 * standing in as {@code <type>}), which keeps the exact words of the domain ("bill", "pass") decisive. Then it
 * decides: sure of one intent, unsure between some (ask), or out of domain (decline).
 *
 * <p>At ~490 lines it is over the project's usual size on purpose: clean-up, typo repair, slot finding and
 * scoring share one vocabulary and one view of the examples, built together in the constructor; the sentence
 * embeddings live apart in {@link Similarity}.
 */
final class Understanding {
    private static final Pattern CLAUSE_BREAK = Pattern.compile("[.?!;]+|\\band\\b|\\balso\\b|\\bthen\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBER = Pattern.compile("[0-9]+");
    private static final Set<String> TARGET_MARKERS = Set.of("to", "into", "for", "onto");

    private final Knowledge knowledge;
    private final List<PhraseRule> phraseRules = new ArrayList<>();
    private final Set<String> vocabulary = new HashSet<>();
    private final Map<String, Integer> intentsUsing = new HashMap<>();
    private final List<Example> examples = new ArrayList<>();
    private final Map<String, Map<String, SlotValue>> synonymsByType = new HashMap<>();
    private final Map<String, Map<String, SlotValue>> bareByType = new HashMap<>();
    private final int longestSlotPhrase;
    private final double unknownWeight;
    private final Similarity similarity;

    /** The label of the out-of-domain examples in the similarity index. */
    static final String OUT_OF_DOMAIN = "out_of_domain";

    private record Example(Intent intent, Set<String> words) {
    }

    private record PhraseRule(Pattern pattern, String replacement) {
    }

    /**
     * What an utterance says: the intent it surely means (null when unsure or out of domain), the best guess
     * when unsure (null when sure or out of domain), the best intent's score, and the slots found.
     */
    record Reading(Intent intent, Intent guess, double score, Map<String, SlotValue> slots, List<String> tokens,
            Set<String> words) {
        Reading {
            slots = Map.copyOf(slots);
            tokens = List.copyOf(tokens);
            words = Set.copyOf(words);
        }

        boolean understood() {
            return intent != null;
        }

        /** Neither sure nor guessing: nothing this agent does. */
        boolean outOfDomain() {
            return intent == null && guess == null;
        }

        /**
         * Nothing but one slot value (and filler words): "Premium", "Spain please". Two values say more: "a week
         * pass for Portugal" is a request, read as one.
         */
        boolean onlySlots() {
            return slots.size() == 1 && words.stream().allMatch(w -> w.startsWith("<"));
        }
    }

    Understanding(Knowledge knowledge) {
        this(knowledge, Similarity.miniLm());
    }

    Understanding(Knowledge knowledge, Similarity.Encoder encoder) {
        this.knowledge = knowledge;
        for (var phrase : knowledge.phrases()) {
            String key = String.join(" ", clean(phrase.getKey()));
            phraseRules.add(new PhraseRule(Pattern.compile("(?<![a-z0-9<>])" + Pattern.quote(key) + "(?![a-z0-9<>])"),
                    phrase.getValue()));
        }
        vocabulary.addAll(knowledge.stopwords());
        vocabulary.addAll(knowledge.protectedWords());
        // Known, so never "corrected" into another word ("they" would become the greeting "hey").
        vocabulary.addAll(knowledge.vagueAmount().words());
        vocabulary.addAll(knowledge.synonyms().keySet());
        vocabulary.addAll(knowledge.synonyms().values());
        knowledge.phrases().forEach(p -> vocabulary.addAll(clean(p.getValue())));
        int longest = 1;
        for (SlotType type : knowledge.slotTypes().values()) {
            Map<String, SlotValue> synonyms = new HashMap<>();
            Map<String, SlotValue> bare = new HashMap<>();
            for (SlotValue value : type.values()) {
                for (String s : value.synonyms()) {
                    List<String> words = normalise(s, false);
                    vocabulary.addAll(words);
                    synonyms.putIfAbsent(String.join(" ", words), value);
                    longest = Math.max(longest, words.size());
                }
                for (String s : value.bare()) {
                    List<String> words = normalise(s, false);
                    vocabulary.addAll(words);
                    bare.putIfAbsent(String.join(" ", words), value);
                    longest = Math.max(longest, words.size());
                }
            }
            synonymsByType.put(type.name(), synonyms);
            bareByType.put(type.name(), bare);
        }
        longestSlotPhrase = longest;
        for (Intent intent : knowledge.intents()) {
            Set<String> intentWords = new HashSet<>();
            for (String example : intent.examples()) {
                List<String> tokens = normalise(example, false);
                vocabulary.addAll(tokens);
                Set<String> words = contentWords(placeholders(tokens, null).tokens());
                examples.add(new Example(intent, words));
                intentWords.addAll(words);
            }
            intentWords.forEach(w -> intentsUsing.merge(w, 1, Integer::sum));
        }
        unknownWeight = Math.log(1.0 + knowledge.intents().size());
        // The similarity index sees examples exactly as it will see utterances: cleaned up, in the model's words.
        List<Similarity.Example> sentences = new ArrayList<>();
        for (Intent intent : knowledge.intents()) {
            intent.examples().forEach(x -> sentences.add(new Similarity.Example(intent.name(), sentence(x))));
        }
        knowledge.outOfDomain().forEach(x -> sentences.add(new Similarity.Example(OUT_OF_DOMAIN, sentence(x))));
        similarity = new Similarity(sentences, encoder);
    }

    // ---- text clean-up ----------------------------------------------------------------------------------------

    /** Lower case, no accents, apostrophes kept for the contractions, everything else but letters and digits gone. */
    private static List<String> clean(String text) {
        String plain = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT).replace('\u2019', '\'').replace('\u2018', '\'').replace('`', '\'');
        plain = plain.replaceAll("[^a-z0-9'<>]+", " ").strip();
        return plain.isEmpty() ? List.of() : Arrays.asList(plain.split(" "));
    }

    /** The utterance as the words the model reasons over; {@code correct} repairs typos against the vocabulary. */
    List<String> normalise(String text, boolean correct) {
        List<String> words = new ArrayList<>();
        for (String token : clean(text)) {
            String expanded = knowledge.contractions().get(token);
            for (String w : (expanded != null ? expanded : token).split(" ")) {
                String bare = w.replace("'", "");
                if (!bare.isEmpty()) {
                    words.add(bare);
                }
            }
        }
        String joined = phrases(String.join(" ", words));
        if (correct) {
            List<String> corrected = new ArrayList<>();
            for (String w : joined.split(" ")) {
                if (!w.isEmpty()) {
                    corrected.add(correct(w));
                }
            }
            joined = phrases(String.join(" ", corrected));
        }
        List<String> out = new ArrayList<>();
        for (String w : joined.split(" ")) {
            if (!w.isEmpty()) {
                out.add(knowledge.synonyms().getOrDefault(w, w));
            }
        }
        return out;
    }

    private String phrases(String text) {
        String out = text;
        for (PhraseRule rule : phraseRules) {
            out = rule.pattern().matcher(out).replaceAll(rule.replacement());
        }
        return out;
    }

    /** The closest known word within one edit (two for long words), or the word itself. */
    String correct(String word) {
        if (vocabulary.contains(word) || word.length() < 3 || NUMBER.matcher(word).matches()) {
            return word;
        }
        if (word.endsWith("ies") && vocabulary.contains(word.substring(0, word.length() - 3) + "y")) {
            return word.substring(0, word.length() - 3) + "y";
        }
        if (word.endsWith("s") && vocabulary.contains(word.substring(0, word.length() - 1))) {
            return word.substring(0, word.length() - 1);
        }
        if (word.endsWith("s") && word.length() > 4) {
            // "adons": repair the singular, then the plural goes as it would for a known word.
            String stem = nearest(word.substring(0, word.length() - 1));
            if (stem != null) {
                return stem;
            }
        }
        String best = nearest(word);
        return best == null ? word : best;
    }

    /** The known word within one edit (two for long words) that the most intents use, or null. */
    private String nearest(String word) {
        int budget = word.length() >= 8 ? 2 : 1;
        // A three-letter word is only repaired by the letter it lacks ("bil" → "bill"), never by a swap, which
        // would turn too many short words into other words.
        int minLength = word.length() == 3 ? 4 : 3;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int bestUse = -1;
        for (String known : vocabulary) {
            if (known.length() < minLength || Math.abs(known.length() - word.length()) > budget) {
                continue;
            }
            int d = Edits.distance(word, known, budget);
            int use = intentsUsing.getOrDefault(known, 0);
            if (d <= budget && (d < bestDistance || (d == bestDistance
                    && (use > bestUse || (use == bestUse && known.compareTo(best) < 0))))) {
                best = known;
                bestDistance = d;
                bestUse = use;
            }
        }
        return best;
    }

    private String sentence(String example) {
        List<String> tokens = normalise(example, false);
        return sentence(tokens, placeholders(tokens, null).tokens());
    }

    /** What the similarity model reads: the cleaned-up words, each slot value replaced by its type's stand-in. */
    private String sentence(List<String> tokens, List<String> marked) {
        List<String> out = new ArrayList<>(marked.size());
        for (String t : marked) {
            SlotType type = t.startsWith("<") ? knowledge.slotTypes().get(t.substring(1, t.length() - 1)) : null;
            if (type == null) {
                out.add(t);
            } else if (type.standsAs() != null) {
                out.add(type.standsAs());
            } else {
                return String.join(" ", tokens);
            }
        }
        return String.join(" ", out);
    }

    boolean known(String word) {
        return vocabulary.contains(word);
    }

    // ---- slots ------------------------------------------------------------------------------------------------

    private record Match(String type, SlotValue value, int start, int length) {
    }

    private record Marked(List<String> tokens, Map<String, SlotValue> slots) {
    }

    /**
     * Replaces slot values by {@code <type>} and returns the values found. Longest phrase first; "bare" forms
     * only for {@code awaitedType}. With several values of one type, the one after "to"/"for" wins, else the last.
     */
    private Marked placeholders(List<String> tokens, String awaitedType) {
        List<Match> matches = new ArrayList<>();
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            Match found = null;
            for (int len = Math.min(longestSlotPhrase, tokens.size() - i); len >= 1 && found == null; len--) {
                String phrase = String.join(" ", tokens.subList(i, i + len));
                if (awaitedType != null) {
                    SlotValue v = lookup(awaitedType, phrase, true);
                    if (v != null) {
                        found = new Match(awaitedType, v, i, len);
                        break;
                    }
                }
                for (String type : synonymsByType.keySet()) {
                    SlotValue v = lookup(type, phrase, false);
                    if (v != null) {
                        found = new Match(type, v, i, len);
                        break;
                    }
                }
            }
            if (found == null) {
                out.add(tokens.get(i));
                i++;
            } else {
                matches.add(found);
                out.add("<" + found.type() + ">");
                i += found.length();
            }
        }
        Map<String, Match> chosen = new LinkedHashMap<>();
        for (Match m : matches) {
            Match current = chosen.get(m.type());
            if (current == null || targeted(tokens, m) || !targeted(tokens, current)) {
                chosen.put(m.type(), m);
            }
        }
        Map<String, SlotValue> slots = new LinkedHashMap<>();
        chosen.forEach((type, m) -> slots.put(type, m.value()));
        return new Marked(out, slots);
    }

    private static boolean targeted(List<String> tokens, Match m) {
        return m.start() > 0 && TARGET_MARKERS.contains(tokens.get(m.start() - 1));
    }

    private SlotValue lookup(String type, String phrase, boolean bare) {
        Map<String, SlotValue> table = (bare ? bareByType : synonymsByType).get(type);
        SlotValue v = table == null ? null : table.get(phrase);
        if (v == null && bare && table != null) {
            v = synonymsByType.get(type).get(phrase);
        }
        return v;
    }

    /**
     * A value for a slot the vocabulary does not cover (a country the model has never heard of): the unknown
     * words after "to", "in", "for" …, so the tool can say it does not know that country rather than the
     * model guessing another.
     */
    Optional<SlotValue> capture(List<String> tokens, SlotType type) {
        for (int i = tokens.size() - 2; i >= 0; i--) {
            if (!type.captureAfter().contains(tokens.get(i))) {
                continue;
            }
            List<String> words = new ArrayList<>();
            for (int j = i + 1; j < tokens.size() && words.size() < 3; j++) {
                String w = tokens.get(j);
                if (knowledge.stopwords().contains(w) && words.isEmpty()) {
                    continue;
                }
                if (known(w) || w.startsWith("<")) {
                    break;
                }
                words.add(Template.capitalise(w));
            }
            if (!words.isEmpty()) {
                String value = String.join(" ", words);
                return Optional.of(new SlotValue(value, value, List.of(), List.of()));
            }
        }
        return Optional.empty();
    }

    // ---- intents ----------------------------------------------------------------------------------------------

    private Set<String> contentWords(List<String> tokens) {
        Set<String> words = new HashSet<>();
        for (String t : tokens) {
            if (!knowledge.stopwords().contains(t)) {
                words.add(t);
            }
        }
        return words;
    }

    private double weight(String word) {
        Integer using = intentsUsing.get(word);
        return using == null ? unknownWeight : Math.log(1.0 + (double) knowledge.intents().size() / using);
    }

    Reading read(String text, String awaitedType) {
        List<String> tokens = normalise(text, true);
        Marked marked = placeholders(tokens, awaitedType);
        Set<String> words = contentWords(marked.tokens());
        if (tokens.isEmpty()) {
            return new Reading(null, null, 0, marked.slots(), tokens, words);
        }
        Map<String, Double> lexical = lexicalScores(words);
        Map<String, Double> similar = similarity.scores(sentence(tokens, marked.tokens()));
        Knowledge.Tuning tuning = knowledge.tuning();
        Intent best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        double secondScore = Double.NEGATIVE_INFINITY;
        for (Intent intent : knowledge.intents()) {
            double score = similar.getOrDefault(intent.name(), 0.0)
                    + tuning.lexicalWeight() * lexical.getOrDefault(intent.name(), 0.0);
            if (score > bestScore) {
                secondScore = bestScore;
                best = intent;
                bestScore = score;
            } else if (score > secondScore) {
                secondScore = score;
            }
        }
        // "How much is it?": a price with nothing named to price. Its words resemble the bill's examples, but the
        // customer has not said what they mean, so the best intent is only a guess (asked about, never acted on).
        if (vagueAmount(marked.slots(), words)) {
            return new Reading(null, best, bestScore, marked.slots(), tokens, words);
        }
        // Out of domain: nearer in meaning to an out-of-domain example than to the best intent's, or too far from all.
        double nearest = similar.getOrDefault(best.name(), 0.0);
        boolean outOfDomain = bestScore < tuning.outOfDomainBelow() || similar.getOrDefault(OUT_OF_DOMAIN, 0.0) > nearest;
        if (outOfDomain) {
            return new Reading(null, null, bestScore, marked.slots(), tokens, words);
        }
        // Sure: a clear winner whose meaning is close to an example, or whose words are nearly an example's.
        boolean close = nearest >= tuning.sureSimilarity() || lexical.getOrDefault(best.name(), 0.0) >= tuning.sureWords();
        boolean sure = bestScore >= tuning.sureAbove() && close && bestScore - secondScore >= tuning.margin();
        return new Reading(sure ? best : null, sure ? null : best, bestScore, marked.slots(), tokens, words);
    }

    /** A price question that names nothing to price: no slot value and only question and price words. */
    private boolean vagueAmount(Map<String, SlotValue> slots, Set<String> words) {
        return slots.isEmpty() && knowledge.vagueAmount().matches(words);
    }

    /** Whether this reading is a price question naming nothing ("how much is it?"), which only context resolves. */
    boolean vagueAmount(Reading r) {
        return !r.understood() && vagueAmount(r.slots(), r.words());
    }

    /**
     * Each intent's word-overlap score: the weighted Dice overlap of content words with its closest example,
     * each word weighted by how few intents use it, slot values standing in as {@code <type>}. An example must
     * share a real word, not only a slot, to count.
     */
    private Map<String, Double> lexicalScores(Set<String> words) {
        Map<String, Double> best = new HashMap<>();
        double total = words.stream().mapToDouble(this::weight).sum();
        for (Example example : examples) {
            double shared = 0;
            boolean sharesAWord = false;
            for (String w : words) {
                if (example.words().contains(w)) {
                    shared += weight(w);
                    sharesAWord |= !w.startsWith("<");
                }
            }
            if (!sharesAWord) {
                continue;
            }
            double exampleTotal = example.words().stream().mapToDouble(this::weight).sum();
            best.merge(example.intent().name(), 2 * shared / (total + exampleTotal), Math::max);
        }
        return best;
    }

    /**
     * Two or more requests in one message ("switch me to premium and tell me my balance"), each understood
     * alone. Every clause must be surely understood and say more than a slot value, so that "the difference
     * between standard and premium" stays one question.
     */
    List<Reading> readClauses(String text) {
        String[] clauses = CLAUSE_BREAK.split(text);
        if (clauses.length < 2) {
            return List.of();
        }
        // A clause of one word ("… zones and prices") belongs to the request before it, not a request of its own.
        List<String> requests = new ArrayList<>();
        for (String clause : clauses) {
            List<String> tokens = normalise(clause, true);
            long said = contentWords(placeholders(tokens, null).tokens()).stream().filter(w -> !w.startsWith("<")).count();
            if (said < 2 && !requests.isEmpty()) {
                requests.set(requests.size() - 1, requests.getLast() + " " + clause);
            } else if (!clause.isBlank()) {
                requests.add(clause);
            }
        }
        List<Reading> readings = new ArrayList<>();
        Set<String> intents = new HashSet<>();
        for (String clause : requests) {
            Reading r = read(clause, null);
            if (r.understood() && !r.onlySlots() && !r.intent().smallTalk() && intents.add(r.intent().name())) {
                readings.add(r);
            }
        }
        return readings.size() >= 2 ? List.copyOf(readings) : List.of();
    }
}
