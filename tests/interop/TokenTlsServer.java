import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server (JSSE) whose private keys stay on the token: SunPKCS11's KeyStore "PKCS11" gives
 * the key manager the token's key entries (it picks the one the client's signature algorithms
 * allow), and every handshake signature is a C_Sign on the module. Run by tls-handshake.sh:
 *
 * <pre>java TokenTlsServer CONFIG USER_PIN PORT CONNECTIONS</pre>
 *
 * Prints "ready" once listening, then serves CONNECTIONS connections one after another (a
 * failed handshake is printed and the next one is served), writing one line to each client.
 */
public class TokenTlsServer {
    public static void main(String[] args) throws Exception {
        String config = args[0];
        char[] pin = args[1].toCharArray();
        int port = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);

        Provider p11 = Security.getProvider("SunPKCS11").configure(config);
        Security.addProvider(p11);
        KeyStore store = KeyStore.getInstance("PKCS11", p11);
        store.load(null, pin);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
        kmf.init(store, pin);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        try (SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory()
                .createServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            System.out.println("ready");
            for (int i = 0; i < connections; i++) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    OutputStream out = s.getOutputStream();
                    out.write(("served with a token key\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    System.out.println("handshake " + (i + 1) + ": " + s.getSession().getProtocol() + " "
                            + s.getSession().getCipherSuite());
                } catch (Exception e) {
                    System.out.println("handshake " + (i + 1) + " failed: " + e);
                    for (Throwable c = e.getCause(); c != null; c = c.getCause()) System.out.println("  caused by " + c);
                }
            }
        }
    }
}
