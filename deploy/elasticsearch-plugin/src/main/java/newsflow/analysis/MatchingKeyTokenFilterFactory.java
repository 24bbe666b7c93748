package newsflow.analysis;

import java.io.IOException;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code newsflow_matching_key} token filter: each token becomes its matching key (offsets unchanged). */
@NamedComponent("newsflow_matching_key")
public class MatchingKeyTokenFilterFactory implements TokenFilterFactory {
  @Override
  public TokenStream create(TokenStream input) {
    return new TokenFilter(input) {
      private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

      @Override
      public boolean incrementToken() throws IOException {
        if (!input.incrementToken()) {
          return false;
        }
        String key = MatchingKey.key(term);
        term.setEmpty().append(key);
        return true;
      }
    };
  }

  @Override
  public TokenStream normalize(TokenStream input) {
    return create(input);
  }
}
