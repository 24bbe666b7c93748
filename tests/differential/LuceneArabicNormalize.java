// Reads one token per line on stdin and prints Lucene's ArabicNormalizer output for each, line by line.
// Run with the JDK's single-file launcher: java -cp 'jars/*' LuceneArabicNormalize.java < tokens.txt
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.analysis.ar.ArabicNormalizer;

public class LuceneArabicNormalize {
  public static void main(String[] args) throws IOException {
    ArabicNormalizer normalizer = new ArabicNormalizer();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      char[] chars = line.toCharArray();
      int length = normalizer.normalize(chars, chars.length);
      out.println(new String(chars, 0, length));
    }
    out.flush();
  }
}
