package newsflow.analysis;

/**
 * streams/text/stemming.py's stem of one matching-key token: Arabic light10 (Lucene's ArabicStemmer
 * rules) when the token has an Arabic letter, else Snowball English when it has a Latin letter, else
 * the token itself ({@link EnglishPorter2}). Lengths count code points, as Python does. Not thread-safe
 * (one per token stream).
 */
final class LightStemmer {
  private static final String[] PREFIXES = {"ال", "وال", "بال", "كال", "فال", "لل", "و"};
  private static final String[] SUFFIXES = {"ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"};

  private final EnglishPorter2 english = new EnglishPorter2();

  String stem(String token) {
    if (token.chars().anyMatch(c -> c >= 0x0621 && c <= 0x064A)) {
      return arabic(token);
    }
    if (token.chars().anyMatch(c -> c >= 'a' && c <= 'z')) {
      return english.stem(token);
    }
    return token;
  }

  static String arabic(String word) {
    for (String prefix : PREFIXES) {
      int keep = prefix.length() == 1 ? 3 : 2;
      if (word.startsWith(prefix) && length(word) - prefix.length() >= keep) {
        word = word.substring(prefix.length());
        break;
      }
    }
    for (String suffix : SUFFIXES) {
      if (word.endsWith(suffix) && length(word) - suffix.length() >= 2) {
        word = word.substring(0, word.length() - suffix.length());
      }
    }
    return word;
  }

  private static int length(String word) {
    return word.codePointCount(0, word.length());
  }
}
