package newsflow.analysis;

import java.io.IOException;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

/**
 * {@code newsflow_word} tokenizer: runs of Python's {@code \w} characters, the tokens of
 * streams.text.normalize.key_tokens (no length limit), with offsets corrected through any char filter.
 */
@NamedComponent("newsflow_word")
public class WordTokenizerFactory implements TokenizerFactory {
  @Override
  public Tokenizer create() {
    return new WordTokenizer();
  }

  static final class WordTokenizer extends Tokenizer {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offsets = addAttribute(OffsetAttribute.class);
    private int position; // chars read so far
    private int pending = -1; // a code point read ahead, or -1
    private int end;

    @Override
    public boolean incrementToken() throws IOException {
      clearAttributes();
      int start = -1;
      for (int cp = next(); cp != -1; cp = next()) {
        int at = position - Character.charCount(cp);
        if (MatchingKey.isWordChar(cp)) {
          if (start == -1) {
            start = at;
          }
          if (Character.isBmpCodePoint(cp)) {
            term.append((char) cp);
          } else {
            term.append(Character.highSurrogate(cp)).append(Character.lowSurrogate(cp));
          }
        } else if (start != -1) {
          break;
        }
      }
      end = correctOffset(position);
      if (start == -1) {
        return false;
      }
      int stop = start + term.length();
      offsets.setOffset(correctOffset(start), correctOffset(stop));
      return true;
    }

    private int next() throws IOException {
      int high = pending != -1 ? pending : input.read();
      pending = -1;
      if (high == -1) {
        return -1;
      }
      position++;
      if (Character.isHighSurrogate((char) high)) {
        int low = input.read();
        if (low != -1 && Character.isLowSurrogate((char) low)) {
          position++;
          return Character.toCodePoint((char) high, (char) low);
        }
        pending = low;
      }
      return high;
    }

    @Override
    public void end() throws IOException {
      super.end();
      offsets.setOffset(end, end);
    }

    @Override
    public void reset() throws IOException {
      super.reset();
      position = 0;
      pending = -1;
      end = 0;
    }
  }
}
