package newsflow.analysis;

import java.io.IOException;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

/**
 * {@code newsflow_whole} tokenizer: the whole text as one token (the distribution this runs on may
 * lack the {@code keyword} tokenizer), so {@code newsflow_matching_key} can key a whole label.
 */
@NamedComponent("newsflow_whole")
public class WholeTextTokenizerFactory implements TokenizerFactory {
  @Override
  public Tokenizer create() {
    return new Tokenizer() {
      private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
      private final OffsetAttribute offsets = addAttribute(OffsetAttribute.class);
      private boolean done;
      private int end;

      @Override
      public boolean incrementToken() throws IOException {
        if (done) {
          return false;
        }
        clearAttributes();
        done = true;
        char[] chunk = new char[4096];
        for (int read = input.read(chunk); read != -1; read = input.read(chunk)) {
          term.append(new String(chunk, 0, read));
        }
        end = correctOffset(term.length());
        offsets.setOffset(correctOffset(0), end);
        return true;
      }

      @Override
      public void end() throws IOException {
        super.end();
        offsets.setOffset(end, end);
      }

      @Override
      public void reset() throws IOException {
        super.reset();
        done = false;
        end = 0;
      }
    };
  }
}
