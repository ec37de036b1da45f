import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Java's SunPKCS11 provider against the built module, cross-checked with the JDK's default
 * (software) providers both ways. Run by java-sunpkcs11.sh, which initialises the token and has
 * keytool generate the "jrsa" (RSA-2048) and "jec" (P-256) key entries on it:
 *
 * <pre>java SunPkcs11Interop CONFIG USER_PIN</pre>
 *
 * Prints one line per check and closes with "SunPkcs11Interop: N passed, N failed"; exits 1 on
 * any failure.
 */
public class SunPkcs11Interop {
    interface Body {
        void run() throws Exception;
    }

    static int passed;
    static final List<String> failures = new ArrayList<>();

    static void check(String name, Body body) {
        try {
            body.run();
            passed++;
            System.out.println("ok   " + name);
        } catch (Throwable t) {
            failures.add(name);
            System.out.println("FAIL " + name);
            System.out.println("     | " + t);
            StackTraceElement[] st = t.getStackTrace();
            for (int i = 0; i < Math.min(6, st.length); i++) System.out.println("     |   at " + st[i]);
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) System.out.println("     | caused by " + c);
        }
        System.out.flush();
    }

    static void require(boolean cond, String what) {
        if (!cond) throw new AssertionError(what);
    }

    static final SecureRandom RNG = new SecureRandom();

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RNG.nextBytes(b);
        return b;
    }

    static byte[] tampered(byte[] b) {
        byte[] c = b.clone();
        c[c.length - 1] ^= 1;
        return c;
    }

    static byte[] sign(String alg, Provider p, PrivateKey k, byte[] data, PSSParameterSpec pss) throws GeneralSecurityException {
        Signature s = p == null ? Signature.getInstance(alg) : Signature.getInstance(alg, p);
        if (pss != null) s.setParameter(pss);
        s.initSign(k);
        s.update(data);
        return s.sign();
    }

    static boolean verify(String alg, Provider p, PublicKey k, byte[] data, byte[] sig, PSSParameterSpec pss) throws GeneralSecurityException {
        Signature s = p == null ? Signature.getInstance(alg) : Signature.getInstance(alg, p);
        if (pss != null) s.setParameter(pss);
        s.initVerify(k);
        s.update(data);
        return s.verify(sig);
    }

    /** token signs, software verifies (and rejects a tampered one); software signs, token verifies. */
    static void bothWays(String alg, Provider p11, PrivateKey tokenPriv, PublicKey tokenPub, KeyPair soft,
                         PSSParameterSpec pss) throws Exception {
        byte[] data = random(4000);
        byte[] sig = sign(alg, p11, tokenPriv, data, pss);
        require(verify(alg, null, tokenPub, data, sig, pss), alg + ": software rejects the token's signature");
        require(!verify(alg, null, tokenPub, data, tampered(sig), pss) , alg + ": software accepts a tampered signature");
        require(verify(alg, p11, tokenPub, data, sig, pss), alg + ": token rejects its own signature");
        byte[] softSig = sign(alg, null, soft.getPrivate(), data, pss);
        require(verify(alg, p11, soft.getPublic(), data, softSig, pss), alg + ": token rejects the software signature");
        boolean badOk;
        try {
            badOk = verify(alg, p11, soft.getPublic(), data, tampered(softSig), pss);
        } catch (java.security.SignatureException e) {
            badOk = false; // a malformed DER ECDSA signature may be refused before it reaches the token
        }
        require(!badOk, alg + ": token accepts a tampered signature");
    }

    static KeyPair softPair(String alg, Object spec) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
        if (spec instanceof Integer) g.initialize((Integer) spec);
        else g.initialize((ECGenParameterSpec) spec);
        return g.generateKeyPair();
    }

    public static void main(String[] args) throws Exception {
        String config = args[0];
        char[] pin = args[1].toCharArray();
        Provider p11 = Security.getProvider("SunPKCS11").configure(config);
        KeyStore ks = KeyStore.getInstance("PKCS11", p11);
        ks.load(null, pin);

        KeyPair softRsa = softPair("RSA", 2048);
        KeyPair softEc = softPair("EC", new ECGenParameterSpec("secp256r1"));
        KeyPair softEc384 = softPair("EC", new ECGenParameterSpec("secp384r1"));

        check("KeyStore PKCS11 lists keytool's token entries with their certificates", () -> {
            List<String> aliases = Collections.list(ks.aliases());
            require(aliases.contains("jrsa") && aliases.contains("jec"), "aliases: " + aliases);
            require(ks.isKeyEntry("jrsa") && ks.isKeyEntry("jec"), "key entries");
            X509Certificate c = (X509Certificate) ks.getCertificate("jrsa");
            require(((RSAPublicKey) c.getPublicKey()).getModulus().bitLength() == 2048, "RSA-2048 certificate");
            require(c.getSubjectX500Principal().getName().equals("CN=jrsa"), "subject " + c.getSubjectX500Principal());
            c = (X509Certificate) ks.getCertificate("jec");
            require(((ECPublicKey) c.getPublicKey()).getParams().getCurve().getField().getFieldSize() == 256, "P-256");
        });

        check("keytool's self-signed certificates (signed on the token) verify in software", () -> {
            for (String a : new String[] {"jrsa", "jec"}) {
                X509Certificate c = (X509Certificate) ks.getCertificate(a);
                c.verify(c.getPublicKey(), defaultProviderFor(c.getSigAlgName()));
            }
        });

        PrivateKey jrsa = (PrivateKey) ks.getKey("jrsa", pin);
        PublicKey jrsaPub = ks.getCertificate("jrsa").getPublicKey();
        PrivateKey jec = (PrivateKey) ks.getKey("jec", pin);
        PublicKey jecPub = ks.getCertificate("jec").getPublicKey();

        check("SHA256withRSA, token key from the KeyStore <-> software, both ways", () ->
                bothWays("SHA256withRSA", p11, jrsa, jrsaPub, softRsa, null));
        check("SHA256withECDSA, token key from the KeyStore <-> software, both ways", () ->
                bothWays("SHA256withECDSA", p11, jec, jecPub, softEc, null));
        check("SHA512withRSA and SHA384withECDSA, token keys <-> software", () -> {
            bothWays("SHA512withRSA", p11, jrsa, jrsaPub, softRsa, null);
            bothWays("SHA384withECDSA", p11, jec, jecPub, softEc, null);
        });

        check("RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32), token key <-> software", () -> {
            PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
            bothWays("RSASSA-PSS", p11, jrsa, jrsaPub, softRsa, pss);
        });

        check("KeyPairGenerator on the token (RSA-3072, EC P-384) + SHA256withRSA/SHA384withECDSA <-> software", () -> {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", p11);
            g.initialize(3072);
            KeyPair kp = g.generateKeyPair();
            require(((RSAPublicKey) kp.getPublic()).getModulus().bitLength() == 3072, "RSA-3072 modulus");
            bothWays("SHA256withRSA", p11, kp.getPrivate(), toSoftware(kp.getPublic()), softPair("RSA", 3072), null);
            g = KeyPairGenerator.getInstance("EC", p11);
            g.initialize(new ECGenParameterSpec("secp384r1"));
            kp = g.generateKeyPair();
            bothWays("SHA384withECDSA", p11, kp.getPrivate(), toSoftware(kp.getPublic()), softEc384, null);
        });

        check("RSA/ECB/PKCS1Padding: software encrypts to the token key, token decrypts", () -> {
            byte[] msg = "Craton HSM java interop".getBytes(StandardCharsets.UTF_8);
            Cipher enc = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            enc.init(Cipher.ENCRYPT_MODE, jrsaPub);
            byte[] ct = enc.doFinal(msg);
            Cipher dec = Cipher.getInstance("RSA/ECB/PKCS1Padding", p11);
            dec.init(Cipher.DECRYPT_MODE, jrsa);
            require(Arrays.equals(dec.doFinal(ct), msg), "decrypted text differs");
        });

        check("ECDH KeyAgreement on the token equals software ECDH", () -> {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p11);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair tok = g.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH", p11);
            ka.init(tok.getPrivate());
            ka.doPhase(softEc.getPublic(), true);
            byte[] z1 = ka.generateSecret();
            KeyAgreement soft = KeyAgreement.getInstance("ECDH");
            soft.init(softEc.getPrivate());
            soft.doPhase(toSoftware(tok.getPublic()), true);
            require(Arrays.equals(z1, soft.generateSecret()), "shared secrets differ");
        });

        byte[] aesKey = random(32);
        SecretKeySpec aes = new SecretKeySpec(aesKey, "AES");
        check("AES/GCM/NoPadding (with AAD) token <-> SunJCE, both ways", () -> {
            byte[] iv = random(12), aad = random(20), pt = random(1000);
            byte[] ct = crypt("AES/GCM/NoPadding", p11, Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv), aad, pt);
            byte[] ct2 = crypt("AES/GCM/NoPadding", null, Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv), aad, pt);
            require(Arrays.equals(ct, ct2), "ciphertexts differ");
            require(Arrays.equals(crypt("AES/GCM/NoPadding", p11, Cipher.DECRYPT_MODE, aes, new GCMParameterSpec(128, iv), aad, ct2), pt), "token decrypt");
        });
        check("AES/CBC/PKCS5Padding and AES/CTR/NoPadding token <-> SunJCE, both ways", () -> {
            byte[] iv = random(16), pt = random(1001);
            for (String t : new String[] {"AES/CBC/PKCS5Padding", "AES/CTR/NoPadding"}) {
                byte[] ct = crypt(t, p11, Cipher.ENCRYPT_MODE, aes, new IvParameterSpec(iv), null, pt);
                require(Arrays.equals(ct, crypt(t, null, Cipher.ENCRYPT_MODE, aes, new IvParameterSpec(iv), null, pt)), t + " ciphertexts differ");
                require(Arrays.equals(crypt(t, p11, Cipher.DECRYPT_MODE, aes, new IvParameterSpec(iv), null, ct), pt), t + " token decrypt");
            }
        });
        check("HmacSHA256 and HmacSHA512 on the token equal SunJCE", () -> {
            byte[] data = random(3000);
            for (String alg : new String[] {"HmacSHA256", "HmacSHA512"}) {
                SecretKeySpec k = new SecretKeySpec(random(32), alg);
                Mac a = Mac.getInstance(alg, p11), b = Mac.getInstance(alg);
                a.init(k);
                b.init(k);
                require(Arrays.equals(a.doFinal(data), b.doFinal(data)), alg);
            }
        });
        check("MessageDigest SHA-256/SHA-512 and SecureRandom from the token", () -> {
            byte[] data = random(5000);
            for (String alg : new String[] {"SHA-256", "SHA-512"}) {
                require(Arrays.equals(MessageDigest.getInstance(alg, p11).digest(data), MessageDigest.getInstance(alg, "SUN").digest(data)), alg);
            }
            SecureRandom r = SecureRandom.getInstance("PKCS11", p11);
            byte[] a = new byte[32], b = new byte[32];
            r.nextBytes(a);
            r.nextBytes(b);
            require(!Arrays.equals(a, b), "two random draws are equal");
        });

        System.out.println();
        if (!failures.isEmpty()) {
            System.out.println("SunPkcs11Interop failed checks:");
            for (String f : failures) System.out.println("  - " + f);
        }
        System.out.println("SunPkcs11Interop: " + passed + " passed, " + failures.size() + " failed");
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    static String defaultProviderFor(String sigAlg) {
        return sigAlg.contains("ECDSA") ? "SunEC" : "SunRsaSign";
    }

    /** The same public key as a software key object, so software operations never touch the token. */
    static PublicKey toSoftware(PublicKey k) throws Exception {
        java.security.KeyFactory f = java.security.KeyFactory.getInstance(k.getAlgorithm(),
                k.getAlgorithm().equals("EC") ? "SunEC" : "SunRsaSign");
        return f.generatePublic(new java.security.spec.X509EncodedKeySpec(k.getEncoded()));
    }

    static byte[] crypt(String t, Provider p, int mode, Key k, java.security.spec.AlgorithmParameterSpec spec,
                        byte[] aad, byte[] in) throws Exception {
        Cipher c = p == null ? Cipher.getInstance(t, "SunJCE") : Cipher.getInstance(t, p);
        c.init(mode, k, spec);
        if (aad != null) c.updateAAD(aad);
        return c.doFinal(in);
    }
}
