import java.nio.charset.StandardCharsets;
import java.security.*;
import java.security.spec.*;
import java.util.*;
import javax.crypto.*;
import javax.crypto.spec.*;

// The JCA/JCE providers with fixed keys and inputs: digests, HMAC, AES (CBC, CTR, GCM), PBKDF2,
// ChaCha20-Poly1305; key pairs come from SecureRandom (the kernel's entropy), so only sign/verify
// and agreement outcomes are printed for them.
public class Crypto {
    static final HexFormat HEX = HexFormat.of();

    public static void main(String[] args) throws Exception {
        byte[] msg = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        for (String alg : new String[] {"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256"}) {
            System.out.println(String.format(Locale.ROOT, "%-8s %s", alg, HEX.formatHex(MessageDigest.getInstance(alg).digest(msg))));
        }
        MessageDigest big = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 16];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31);
        for (int i = 0; i < 160; i++) big.update(chunk);
        System.out.println("SHA-256 of 10 MiB " + HEX.formatHex(big.digest()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("key".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        System.out.println("HMAC-SHA256 " + HEX.formatHex(mac.doFinal(msg)));

        SecretKeySpec key = new SecretKeySpec(HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "AES");
        byte[] iv = HEX.parseHex("0f0e0d0c0b0a09080706050403020100");
        Cipher cbc = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cbc.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        byte[] ct = cbc.doFinal(msg);
        System.out.println("AES-256-CBC " + HEX.formatHex(ct));
        cbc.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
        System.out.println("  decrypted " + new String(cbc.doFinal(ct), StandardCharsets.US_ASCII));
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        ctr.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        System.out.println("AES-256-CTR " + HEX.formatHex(ctr.doFinal(msg)));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] nonce = Arrays.copyOf(iv, 12);
        gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        gcm.updateAAD("header".getBytes(StandardCharsets.US_ASCII));
        byte[] sealed = gcm.doFinal(msg);
        System.out.println("AES-256-GCM " + HEX.formatHex(sealed));
        sealed[3] ^= 1;
        gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        gcm.updateAAD("header".getBytes(StandardCharsets.US_ASCII));
        try {
            gcm.doFinal(sealed);
            System.out.println("  tampered ciphertext accepted");
        } catch (AEADBadTagException e) {
            System.out.println("  tampered ciphertext: AEADBadTagException");
        }
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(HEX.parseHex("000102030405060708090a0b0c0d0e0f"), "AES"));
        System.out.println("AES-128 FIPS-197 vector " + HEX.formatHex(ecb.doFinal(HEX.parseHex("00112233445566778899aabbccddeeff"))));
        Cipher chacha = Cipher.getInstance("ChaCha20-Poly1305");
        chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.getEncoded(), "ChaCha20"), new IvParameterSpec(nonce));
        System.out.println("ChaCha20-Poly1305 " + HEX.formatHex(chacha.doFinal(msg)));

        SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        byte[] derived = pbkdf2.generateSecret(new PBEKeySpec("password".toCharArray(), "salt".getBytes(StandardCharsets.US_ASCII), 4096, 256)).getEncoded();
        System.out.println("PBKDF2-SHA256 " + HEX.formatHex(derived));

        SecureRandom sr = new SecureRandom();
        byte[] r1 = new byte[32], r2 = new byte[32];
        sr.nextBytes(r1);
        sr.nextBytes(r2);
        System.out.println("SecureRandom draws differ " + !Arrays.equals(r1, r2) + " seed-generated " + (SecureRandom.getSeed(16).length == 16));
        SecureRandom sha1prng = SecureRandom.getInstance("SHA1PRNG");
        sha1prng.setSeed(42L);
        byte[] det = new byte[16];
        sha1prng.nextBytes(det);
        System.out.println("seeded SHA1PRNG " + HEX.formatHex(det));

        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        KeyPair rsa = rsaGen.generateKeyPair();
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(rsa.getPrivate());
        sig.update(msg);
        byte[] signature = sig.sign();
        sig.initVerify(rsa.getPublic());
        sig.update(msg);
        boolean ok = sig.verify(signature);
        sig.initVerify(rsa.getPublic());
        sig.update("tampered".getBytes(StandardCharsets.US_ASCII));
        System.out.println("RSA-2048 signature " + signature.length + " bytes, verifies " + ok + ", tampered verifies " + sig.verify(signature));
        Cipher rsaOaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        rsaOaep.init(Cipher.ENCRYPT_MODE, rsa.getPublic());
        byte[] wrapped = rsaOaep.doFinal(key.getEncoded());
        rsaOaep.init(Cipher.DECRYPT_MODE, rsa.getPrivate());
        System.out.println("RSA-OAEP key wrap round trip " + Arrays.equals(rsaOaep.doFinal(wrapped), key.getEncoded()));

        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair alice = ecGen.generateKeyPair(), bob = ecGen.generateKeyPair();
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(alice.getPrivate());
        ecdsa.update(msg);
        byte[] es = ecdsa.sign();
        ecdsa.initVerify(alice.getPublic());
        ecdsa.update(msg);
        System.out.println("ECDSA P-256 verifies " + ecdsa.verify(es));
        KeyAgreement ka = KeyAgreement.getInstance("ECDH"), kb = KeyAgreement.getInstance("ECDH");
        ka.init(alice.getPrivate()); ka.doPhase(bob.getPublic(), true);
        kb.init(bob.getPrivate()); kb.doPhase(alice.getPublic(), true);
        System.out.println("ECDH shared secrets equal " + Arrays.equals(ka.generateSecret(), kb.generateSecret()));
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature eds = Signature.getInstance("Ed25519");
        eds.initSign(ed.getPrivate());
        eds.update(msg);
        byte[] edSig = eds.sign();
        eds.initVerify(ed.getPublic());
        eds.update(msg);
        System.out.println("Ed25519 signature " + edSig.length + " bytes verifies " + eds.verify(edSig));
        KeyGenerator kg = KeyGenerator.getInstance("AES");
        kg.init(128);
        System.out.println("generated AES key length " + kg.generateKey().getEncoded().length);
        List<String> providers = new ArrayList<>();
        for (Provider p : Security.getProviders()) providers.add(p.getName());
        System.out.println("providers include SunJCE " + providers.contains("SunJCE") + " SUN " + providers.contains("SUN") + " SunEC " + providers.contains("SunEC"));
    }
}
