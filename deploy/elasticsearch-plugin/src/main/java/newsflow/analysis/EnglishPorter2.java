package newsflow.analysis;

import java.util.Map;
import java.util.Set;

/**
 * The English (Porter2) stemmer as the Python {@code snowballstemmer} 3.x that streams/text/stemming.py
 * uses applies it (the Snowball 3 revision: more exceptional R1 prefixes, "past" as a short syllable,
 * the "-ing" exceptions, "-ogist"), which the node's own older Snowball copy does not. Works on code
 * points, as Python does. Not thread-safe.
 */
final class EnglishPorter2 {
  private static final Map<String, String> EXCEPTIONS =
      Map.ofEntries(
          Map.entry("andes", "andes"), Map.entry("atlas", "atlas"), Map.entry("bias", "bias"),
          Map.entry("cosmos", "cosmos"), Map.entry("early", "earli"), Map.entry("gently", "gentl"),
          Map.entry("howe", "howe"), Map.entry("idly", "idl"), Map.entry("news", "news"),
          Map.entry("only", "onli"), Map.entry("singly", "singl"), Map.entry("skies", "sky"),
          Map.entry("skis", "ski"), Map.entry("sky", "sky"), Map.entry("ugly", "ugli"));
  private static final String[] R1_PREFIXES = {
    "arsen", "commun", "emerg", "gener", "inter", "later", "organ", "past", "univers"
  };
  // Each step's suffixes, longest first: the longest that the word ends with is the one that counts.
  private static final String[] STEP1A = {"sses", "ied", "ies", "ss", "us", "s"};
  private static final String[] STEP1B = {"eedly", "ingly", "edly", "eed", "ing", "ed"};
  private static final String[] STEP2 = {
    "ational", "fulness", "iveness", "ization", "ousness", "biliti", "lessli", "tional", "alism",
    "aliti", "ation", "entli", "fulli", "iviti", "ogist", "ousli", "abli", "alli", "anci", "ator",
    "enci", "izer", "bli", "ogi", "li"
  };
  private static final Map<String, String> STEP2_TO =
      Map.ofEntries(
          Map.entry("tional", "tion"), Map.entry("enci", "ence"), Map.entry("anci", "ance"),
          Map.entry("abli", "able"), Map.entry("entli", "ent"), Map.entry("izer", "ize"),
          Map.entry("ization", "ize"), Map.entry("ational", "ate"), Map.entry("ation", "ate"),
          Map.entry("ator", "ate"), Map.entry("alli", "al"), Map.entry("aliti", "al"),
          Map.entry("alism", "al"), Map.entry("fulli", "ful"), Map.entry("fulness", "ful"),
          Map.entry("ousli", "ous"), Map.entry("ousness", "ous"), Map.entry("iveness", "ive"),
          Map.entry("iviti", "ive"), Map.entry("bli", "ble"), Map.entry("biliti", "ble"),
          Map.entry("ogist", "og"), Map.entry("lessli", "less"));
  private static final String[] STEP3 = {
    "ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful"
  };
  private static final Map<String, String> STEP3_TO =
      Map.of("tional", "tion", "ational", "ate", "alize", "al", "icate", "ic", "iciti", "ic", "ical", "ic",
          "ful", "", "ness", "");
  private static final String[] STEP4 = {
    "ement", "ance", "ence", "able", "ible", "ment", "ate", "ive", "ize", "iti", "ism", "ion", "ous",
    "ant", "ent", "ic", "al", "er"
  };
  private static final Set<String> ING_WORDS = Set.of("even", "cann", "inn", "earr", "herr", "out");
  private static final Set<String> EED_WORDS = Set.of("succ", "proc", "exc");

  private int[] w = new int[64];
  private int len;
  private int p1;
  private int p2;

  String stem(String word) {
    String exception = EXCEPTIONS.get(word);
    if (exception != null) {
      return exception;
    }
    int[] points = word.codePoints().toArray();
    if (points.length < 3) {
      return word;
    }
    if (w.length < points.length + 8) {
      w = new int[points.length + 8];
    }
    System.arraycopy(points, 0, w, 0, points.length);
    len = points.length;
    boolean yFound = prelude();
    markRegions();
    step1a();
    step1b();
    step1c();
    step2();
    step3();
    step4();
    step5();
    StringBuilder out = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      out.appendCodePoint(yFound && w[i] == 'Y' ? 'y' : w[i]);
    }
    return out.toString();
  }

  private static boolean vowel(int c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
  }

  private boolean prelude() {
    if (len > 0 && w[0] == '\'') {
      replace(0, 1, "");
    }
    boolean found = false;
    for (int i = 0; i < len; i++) {
      if (w[i] == 'y' && (i == 0 || vowel(w[i - 1]))) {
        w[i] = 'Y';
        found = true;
      }
    }
    return found;
  }

  private void markRegions() {
    p1 = len;
    p2 = len;
    int start = -1;
    for (String prefix : R1_PREFIXES) {
      if (startsWith(prefix)) {
        start = prefix.length();
        break;
      }
    }
    if (start == -1) {
      start = regionAfter(0);
      if (start == -1) {
        return;
      }
    }
    p1 = start;
    int r2 = regionAfter(p1);
    if (r2 != -1) {
      p2 = r2;
    }
  }

  /** The position after the first non-vowel that follows a vowel, from {@code from}; -1 if none. */
  private int regionAfter(int from) {
    int i = from;
    while (i < len && !vowel(w[i])) {
      i++;
    }
    if (i >= len) {
      return -1;
    }
    while (i < len && vowel(w[i])) {
      i++;
    }
    return i >= len ? -1 : i + 1;
  }

  private void step1a() {
    if (endsWith("'s'")) {
      len -= 3;
    } else if (endsWith("'s")) {
      len -= 2;
    } else if (endsWith("'")) {
      len -= 1;
    }
    String suffix = longest(STEP1A);
    if (suffix == null) {
      return;
    }
    int at = len - suffix.length();
    switch (suffix) {
      case "sses" -> replace(at, len, "ss");
      case "ied", "ies" -> replace(at, len, at >= 2 ? "i" : "ie");
      case "s" -> {
        if (at >= 1 && hasVowelBefore(at - 1)) {
          len = at;
        }
      }
      default -> {} // ss, us
    }
  }

  private void step1b() {
    String suffix = longest(STEP1B);
    if (suffix == null) {
      return;
    }
    int at = len - suffix.length();
    if (suffix.equals("eed") || suffix.equals("eedly")) {
      if (at >= p1 && !EED_WORDS.contains(text(0, at))) {
        replace(at, len, "ee");
      }
      return;
    }
    if (suffix.equals("ing")) {
      String before = text(0, at);
      if (ING_WORDS.contains(before)) {
        return;
      }
      if (at == 2 && w[1] == 'y' && !vowel(w[0])) { // dying, lying, tying
        replace(1, len, "ie");
        return;
      }
    }
    if (!hasVowelBefore(at)) {
      return;
    }
    len = at;
    if (endsWith("at") || endsWith("bl") || endsWith("iz")) {
      replace(len, len, "e");
    } else if (endsWithDouble()) {
      if (!(len == 3 && (w[0] == 'a' || w[0] == 'e' || w[0] == 'o'))) {
        len--;
      }
    } else if (len == p1 && shortSyllableBefore(len)) {
      replace(len, len, "e");
    }
  }

  private void step1c() {
    if (len >= 3 && (w[len - 1] == 'y' || w[len - 1] == 'Y') && !vowel(w[len - 2])) {
      w[len - 1] = 'i';
    }
  }

  private void step2() {
    String suffix = longest(STEP2);
    if (suffix == null || len - suffix.length() < p1) {
      return;
    }
    int at = len - suffix.length();
    switch (suffix) {
      case "ogi" -> {
        if (at >= 1 && w[at - 1] == 'l') {
          replace(at, len, "og");
        }
      }
      case "li" -> {
        if (at >= 1 && "cdeghkmnrt".indexOf(w[at - 1]) >= 0) {
          len = at;
        }
      }
      default -> replace(at, len, STEP2_TO.get(suffix));
    }
  }

  private void step3() {
    String suffix = longest(STEP3);
    if (suffix == null || len - suffix.length() < p1) {
      return;
    }
    int at = len - suffix.length();
    if (suffix.equals("ative")) {
      if (at >= p2) {
        len = at;
      }
      return;
    }
    replace(at, len, STEP3_TO.get(suffix));
  }

  private void step4() {
    String suffix = longest(STEP4);
    if (suffix == null || len - suffix.length() < p2) {
      return;
    }
    int at = len - suffix.length();
    if (!suffix.equals("ion") || (at >= 1 && (w[at - 1] == 's' || w[at - 1] == 't'))) {
      len = at;
    }
  }

  private void step5() {
    if (len == 0) {
      return;
    }
    int at = len - 1;
    if (w[at] == 'e') {
      if (at >= p2 || (at >= p1 && !shortSyllableBefore(at))) {
        len = at;
      }
    } else if (w[at] == 'l' && at >= p2 && at >= 1 && w[at - 1] == 'l') {
      len = at;
    }
  }

  /** Whether the word up to {@code end} ends in a short syllable (or in "past"). */
  private boolean shortSyllableBefore(int end) {
    if (end >= 3) {
      int c = w[end - 1];
      boolean last = !vowel(c) && c != 'w' && c != 'x' && c != 'Y';
      if (last && vowel(w[end - 2]) && !vowel(w[end - 3])) {
        return true;
      }
    }
    if (end == 2 && !vowel(w[1]) && vowel(w[0])) {
      return true;
    }
    return end >= 4 && w[end - 4] == 'p' && w[end - 3] == 'a' && w[end - 2] == 's' && w[end - 1] == 't';
  }

  private boolean hasVowelBefore(int end) {
    for (int i = 0; i < end; i++) {
      if (vowel(w[i])) {
        return true;
      }
    }
    return false;
  }

  private boolean endsWithDouble() {
    if (len < 2 || w[len - 1] != w[len - 2]) {
      return false;
    }
    return "bdfgmnprt".indexOf(w[len - 1]) >= 0;
  }

  private String longest(String[] suffixes) {
    for (String suffix : suffixes) {
      if (endsWith(suffix)) {
        return suffix;
      }
    }
    return null;
  }

  private boolean endsWith(String suffix) {
    int n = suffix.length();
    if (n > len) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (w[len - n + i] != suffix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWith(String prefix) {
    if (prefix.length() > len) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (w[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String text(int from, int to) {
    return new String(w, from, to - from);
  }

  private void replace(int from, int to, String with) {
    int[] tail = java.util.Arrays.copyOfRange(w, to, len);
    int n = with.length();
    if (w.length < from + n + tail.length) {
      w = java.util.Arrays.copyOf(w, from + n + tail.length + 8);
    }
    for (int i = 0; i < n; i++) {
      w[from + i] = with.charAt(i);
    }
    System.arraycopy(tail, 0, w, from + n, tail.length);
    len = from + n + tail.length;
  }
}
