package newsflow.analysis;

import java.io.IOException;
import java.io.Reader;
import org.apache.lucene.analysis.charfilter.BaseCharFilter;

/**
 * The matching key as a char filter: every character mapped as the key maps it (deleted ones dropped,
 * whitespace as a space), with offset corrections so tokens keep the offsets of the written text.
 * Runs of spaces are left as they are: tokenizers split on them either way, and offsets stay exact.
 */
final class MatchingKeyCharFilter extends BaseCharFilter {
  private String output;
  private int position;

  MatchingKeyCharFilter(Reader in) {
    super(in);
  }

  @Override
  public int read(char[] buffer, int offset, int length) throws IOException {
    if (output == null) {
      output = mapAll();
    }
    if (position >= output.length()) {
      return -1;
    }
    int count = Math.min(length, output.length() - position);
    output.getChars(position, position + count, buffer, offset);
    position += count;
    return count;
  }

  private String mapAll() throws IOException {
    StringBuilder text = new StringBuilder();
    char[] chunk = new char[8192];
    for (int read = input.read(chunk); read != -1; read = input.read(chunk)) {
      text.append(chunk, 0, read);
    }
    StringBuilder out = new StringBuilder(text.length());
    int diff = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = Character.codePointAt(text, i);
      i += Character.charCount(cp);
      int mapped = MatchingKey.map(cp);
      if (mapped != MatchingKey.DELETED) {
        out.appendCodePoint(mapped);
      }
      if (i - out.length() != diff) {
        diff = i - out.length();
        addOffCorrectMap(out.length(), diff);
      }
    }
    return out.toString();
  }
}
