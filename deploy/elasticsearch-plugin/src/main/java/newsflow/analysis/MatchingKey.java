package newsflow.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * newsflow's matching key (streams/text/normalize.py), from the tables that {@code python -m
 * streams.text.plugin_tables} writes: what the key makes of each character, and the characters of
 * Python's {@code \w}. Java's own Unicode tables are not used, so the result does not depend on the
 * JDK's Unicode version.
 */
public final class MatchingKey {
  /** {@link #map} result for a character the key deletes. */
  public static final int DELETED = -1;

  private static final int UNCHANGED = -2;
  private static final int[] MAP = loadMap();
  private static final BitSet WORD = loadWord();

  private MatchingKey() {}

  /** The character the key makes of {@code cp} (whitespace becomes a space), or {@link #DELETED}. */
  public static int map(int cp) {
    if (cp < MAP.length && MAP[cp] != UNCHANGED) {
      return MAP[cp];
    }
    return cp;
  }

  /** Whether Python's {@code re} counts {@code cp} as a word character ({@code \w}). */
  public static boolean isWordChar(int cp) {
    return WORD.get(cp);
  }

  /** The matching key of {@code text}: mapped, runs of spaces collapsed, leading and trailing ones removed. */
  public static String key(CharSequence text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean afterSpace = true;
    for (int i = 0; i < text.length(); ) {
      int cp = Character.codePointAt(text, i);
      i += Character.charCount(cp);
      int mapped = map(cp);
      if (mapped == DELETED || (mapped == ' ' && afterSpace)) {
        continue;
      }
      afterSpace = mapped == ' ';
      out.appendCodePoint(mapped);
    }
    if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
      out.setLength(out.length() - 1);
    }
    return out.toString();
  }

  private static int[] loadMap() {
    int[] map = new int[0x30000];
    Arrays.fill(map, UNCHANGED);
    for (String[] row : rows("key.tsv")) {
      map[Integer.parseInt(row[0], 16)] = row[1].equals("-") ? DELETED : Integer.parseInt(row[1], 16);
    }
    return map;
  }

  private static BitSet loadWord() {
    BitSet word = new BitSet(Character.MAX_CODE_POINT + 1);
    for (String[] row : rows("word.tsv")) {
      word.set(Integer.parseInt(row[0], 16), Integer.parseInt(row[1], 16) + 1);
    }
    return word;
  }

  private static Iterable<String[]> rows(String name) {
    try (InputStream stream = MatchingKey.class.getResourceAsStream(name)) {
      if (stream == null) {
        throw new IllegalStateException("missing resource newsflow/analysis/" + name);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
      return reader.lines().filter(line -> !line.startsWith("#")).map(line -> line.split("\t")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
