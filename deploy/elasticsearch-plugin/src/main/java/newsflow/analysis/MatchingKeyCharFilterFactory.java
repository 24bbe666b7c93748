package newsflow.analysis;

import java.io.Reader;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.CharFilterFactory;

/** {@code newsflow_matching_key} char filter: see {@link MatchingKeyCharFilter}. */
@NamedComponent("newsflow_matching_key")
public class MatchingKeyCharFilterFactory implements CharFilterFactory {
  @Override
  public Reader create(Reader reader) {
    return new MatchingKeyCharFilter(reader);
  }

  @Override
  public Reader normalize(Reader reader) {
    return new MatchingKeyCharFilter(reader);
  }
}
