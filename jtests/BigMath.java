import java.math.*;
import java.util.*;

// BigInteger and BigDecimal: factorials, powers, modular arithmetic, primes, square roots,
// large multiplications (Karatsuba/Toom-Cook sizes), decimal division with MathContext and
// rounding modes, pi and e to many digits.
public class BigMath {
    public static void main(String[] args) {
        BigInteger f = BigInteger.ONE;
        for (int i = 2; i <= 1000; i++) f = f.multiply(BigInteger.valueOf(i));
        String fs = f.toString();
        System.out.println("1000! digits " + fs.length() + " head " + fs.substring(0, 30) + " trailing zeros "
                + (fs.length() - fs.replaceAll("0+$", "").length()) + " bitLength " + f.bitLength());
        BigInteger a = BigInteger.ZERO, b = BigInteger.ONE;
        for (int i = 0; i < 1000; i++) { BigInteger t = a.add(b); a = b; b = t; }
        System.out.println("fib(1000) " + a.toString().substring(0, 40) + "... digits " + a.toString().length());
        BigInteger m = new BigInteger("1000000007");
        System.out.println("modPow 2^(10^18) mod p " + BigInteger.TWO.modPow(BigInteger.TEN.pow(18), m)
                + " modInverse(3) " + BigInteger.valueOf(3).modInverse(m) + " gcd " + f.gcd(BigInteger.valueOf(2).pow(2000)).bitLength());
        BigInteger mersenne = BigInteger.TWO.pow(521).subtract(BigInteger.ONE);
        System.out.println("2^521-1 prime " + mersenne.isProbablePrime(50) + " 2^523-1 prime "
                + BigInteger.TWO.pow(523).subtract(BigInteger.ONE).isProbablePrime(50)
                + " nextProbablePrime(10^30) " + BigInteger.TEN.pow(30).nextProbablePrime());
        BigInteger big = BigInteger.valueOf(3).pow(60_000);
        BigInteger sq = big.multiply(big);
        System.out.println("3^60000 bits " + big.bitLength() + " squared bits " + sq.bitLength() + " mod 1e9+7 "
                + sq.mod(m) + " == modPow " + sq.mod(m).equals(BigInteger.valueOf(3).modPow(BigInteger.valueOf(120_000), m)));
        BigInteger[] qr = sq.divideAndRemainder(big.add(BigInteger.ONE));
        System.out.println("big division remainder bits " + qr[1].bitLength() + " check " + qr[0].multiply(big.add(BigInteger.ONE)).add(qr[1]).equals(sq));
        BigInteger root = sq.sqrt();
        System.out.println("sqrt exact " + root.equals(big) + " sqrt(2*10^100) " + BigInteger.TWO.multiply(BigInteger.TEN.pow(100)).sqrt());
        System.out.println("bit ops " + BigInteger.valueOf(0b1011_0000).shiftRight(4) + " " + BigInteger.ONE.shiftLeft(100).bitCount()
                + " " + BigInteger.valueOf(-1).and(BigInteger.valueOf(0xff)) + " " + BigInteger.valueOf(12).xor(BigInteger.valueOf(10))
                + " testBit " + BigInteger.valueOf(5).testBit(2) + " negate " + BigInteger.TEN.negate().abs() + " signum " + f.negate().signum());
        System.out.println("radix " + new BigInteger("ffffffffffffffffffff", 16) + " -> base36 " + new BigInteger("ffffffffffffffffffff", 16).toString(36)
                + " bytes " + Arrays.toString(BigInteger.valueOf(-129).toByteArray()) + " longValueExact ok " + BigInteger.valueOf(Long.MAX_VALUE).longValueExact());
        try {
            BigInteger.TWO.pow(64).longValueExact();
        } catch (ArithmeticException e) {
            System.out.println("longValueExact overflow: " + e.getMessage());
        }

        BigDecimal one = BigDecimal.ONE, seven = BigDecimal.valueOf(7);
        System.out.println("1/7 to 60 digits " + one.divide(seven, new MathContext(60)));
        try {
            one.divide(seven);
        } catch (ArithmeticException e) {
            System.out.println("exact 1/7: " + e.getMessage());
        }
        BigDecimal x = new BigDecimal("2.345");
        StringBuilder sb = new StringBuilder();
        for (RoundingMode rm : RoundingMode.values()) {
            if (rm == RoundingMode.UNNECESSARY) continue;
            sb.append(rm).append('=').append(x.setScale(2, rm)).append('/').append(x.negate().setScale(2, rm)).append(' ');
        }
        System.out.println("rounding " + sb.toString().trim());
        System.out.println("0.1+0.2 exact " + new BigDecimal("0.1").add(new BigDecimal("0.2")) + " from double "
                + new BigDecimal(0.1).toString().substring(0, 30) + " valueOf " + BigDecimal.valueOf(0.1));
        BigDecimal scaled = new BigDecimal("1.2300");
        System.out.println("scale " + scaled.scale() + " precision " + scaled.precision() + " strip " + scaled.stripTrailingZeros()
                + " equals 1.23 " + scaled.equals(new BigDecimal("1.23")) + " compareTo " + scaled.compareTo(new BigDecimal("1.23"))
                + " plain " + new BigDecimal("1E+10").toPlainString() + " eng " + new BigDecimal("12345E+7").toEngineeringString());
        System.out.println("sqrt(2) 50 digits " + BigDecimal.valueOf(2).sqrt(new MathContext(50)));
        System.out.println("pi 200 digits " + pi(200));
        System.out.println("e 100 digits " + e(100));
        BigDecimal money = BigDecimal.ZERO;
        for (int i = 0; i < 1000; i++) money = money.add(new BigDecimal("0.01"));
        double dmoney = 0;
        for (int i = 0; i < 1000; i++) dmoney += 0.01;
        System.out.println("1000 x 0.01 decimal " + money + " double " + dmoney);
        BigDecimal compound = new BigDecimal("1000.00");
        for (int year = 0; year < 30; year++) compound = compound.multiply(new BigDecimal("1.05")).setScale(2, RoundingMode.HALF_EVEN);
        System.out.println("compound 30 years at 5% " + compound);
        System.out.println("pow " + new BigDecimal("1.1").pow(50) + " movePoint " + new BigDecimal("123.456").movePointLeft(5)
                + " remainder " + new BigDecimal("10.5").remainder(new BigDecimal("3")));
    }

    // Machin: pi = 16 atan(1/5) - 4 atan(1/239)
    static BigDecimal pi(int digits) {
        MathContext mc = new MathContext(digits + 10);
        BigDecimal p = atanInv(5, mc).multiply(BigDecimal.valueOf(16)).subtract(atanInv(239, mc).multiply(BigDecimal.valueOf(4)));
        return p.round(new MathContext(digits));
    }

    static BigDecimal atanInv(int x, MathContext mc) {
        BigDecimal xb = BigDecimal.valueOf(x), x2 = xb.multiply(xb);
        BigDecimal term = BigDecimal.ONE.divide(xb, mc), sum = term;
        BigDecimal eps = BigDecimal.ONE.movePointLeft(mc.getPrecision());
        for (int n = 1; term.abs().compareTo(eps) > 0; n++) {
            term = term.divide(x2, mc).negate();
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * n + 1), mc), mc);
        }
        return sum;
    }

    static BigDecimal e(int digits) {
        MathContext mc = new MathContext(digits + 10);
        BigDecimal sum = BigDecimal.ONE, term = BigDecimal.ONE;
        for (int n = 1; n < 200; n++) {
            term = term.divide(BigDecimal.valueOf(n), mc);
            sum = sum.add(term, mc);
        }
        return sum.round(new MathContext(digits));
    }
}
