package newsflow.analysis;

import java.io.IOException;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code newsflow_light_stem} token filter: each matching-key token becomes its light stem. */
@NamedComponent("newsflow_light_stem")
public class LightStemTokenFilterFactory implements TokenFilterFactory {
  @Override
  public TokenStream create(TokenStream input) {
    return new TokenFilter(input) {
      private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
      private final LightStemmer stemmer = new LightStemmer();

      @Override
      public boolean incrementToken() throws IOException {
        if (!input.incrementToken()) {
          return false;
        }
        String stem = stemmer.stem(term.toString());
        term.setEmpty().append(stem);
        return true;
      }
    };
  }
}
