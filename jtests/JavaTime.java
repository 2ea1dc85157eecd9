import java.time.*;
import java.time.format.*;
import java.time.temporal.*;
import java.util.*;

// java.time with fixed dates and a fixed Clock only: date arithmetic, leap years, periods and
// durations, time zones across DST changes (the JDK's tzdb), formatting and parsing.
public class JavaTime {
    public static void main(String[] args) {
        Clock fixed = Clock.fixed(Instant.parse("2024-02-29T13:45:30.123456789Z"), ZoneOffset.UTC);
        LocalDateTime now = LocalDateTime.now(fixed);
        System.out.println("fixed clock now " + now + " instant " + Instant.now(fixed) + " millis " + fixed.millis());
        Clock offset = Clock.offset(fixed, Duration.ofHours(36));
        System.out.println("offset clock " + LocalDate.now(offset) + " tick to minutes " + LocalTime.now(Clock.tickMinutes(ZoneOffset.UTC)).getSecond());

        LocalDate d = LocalDate.of(2024, 1, 31);
        System.out.println("plusMonths(1) " + d.plusMonths(1) + " plusMonths(2) " + d.plusMonths(2) + " minusDays(366) " + d.minusDays(366)
                + " leap " + d.isLeapYear() + " dayOfYear " + d.withMonth(12).withDayOfMonth(31).getDayOfYear());
        System.out.println("day of week 1969-07-20 " + LocalDate.of(1969, 7, 20).getDayOfWeek() + ", 2000-01-01 "
                + LocalDate.of(2000, 1, 1).getDayOfWeek() + ", epochDay " + LocalDate.of(2000, 1, 1).toEpochDay());
        StringBuilder leaps = new StringBuilder();
        for (int y = 1896; y <= 2104; y += 4) if (!Year.isLeap(y)) leaps.append(y).append(' ');
        System.out.println("non-leap multiples of 4 in 1896..2104: " + leaps.toString().trim());
        LocalDate birth = LocalDate.of(1990, 8, 15), ref = LocalDate.of(2024, 3, 1);
        Period age = Period.between(birth, ref);
        System.out.println("period " + age + " years " + age.getYears() + " total months " + age.toTotalMonths()
                + " days between " + ChronoUnit.DAYS.between(birth, ref) + " weeks " + ChronoUnit.WEEKS.between(birth, ref));
        System.out.println("adjusters first monday of Mar 2024 " + ref.with(TemporalAdjusters.firstInMonth(DayOfWeek.MONDAY))
                + " last day of Feb " + LocalDate.of(2023, 2, 10).with(TemporalAdjusters.lastDayOfMonth())
                + " next friday " + ref.with(TemporalAdjusters.next(DayOfWeek.FRIDAY)) + " iso week "
                + ref.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR) + " quarter " + ref.get(IsoFields.QUARTER_OF_YEAR));
        StringBuilder lens = new StringBuilder();
        for (Month mo : Month.values()) lens.append(YearMonth.of(2023, mo).lengthOfMonth()).append(' ');
        System.out.println("month lengths 2023 " + lens.toString().trim() + " Feb 2024 " + YearMonth.of(2024, 2).lengthOfMonth());

        Duration dur = Duration.ofSeconds(3_725, 500_000_000);
        System.out.println("duration " + dur + " minutes " + dur.toMinutes() + " plus " + dur.plusMillis(1500) + " negated "
                + dur.negated() + " between " + Duration.between(LocalTime.of(8, 15), LocalTime.of(17, 40, 5)));
        LocalTime t = LocalTime.of(23, 30);
        System.out.println("time wraps " + t.plusHours(2) + " truncated " + LocalTime.of(10, 11, 12, 13).truncatedTo(ChronoUnit.MINUTES)
                + " noon before midnight " + LocalTime.NOON.isBefore(LocalTime.MAX));

        ZoneId ny = ZoneId.of("America/New_York"), berlin = ZoneId.of("Europe/Berlin"), tokyo = ZoneId.of("Asia/Tokyo");
        ZonedDateTime beforeDst = ZonedDateTime.of(LocalDateTime.of(2023, 3, 12, 1, 30), ny);
        System.out.println("NY spring forward " + beforeDst + " +1h " + beforeDst.plusHours(1) + " +1 day " + beforeDst.plusDays(1));
        ZonedDateTime gap = ZonedDateTime.of(LocalDateTime.of(2023, 3, 12, 2, 30), ny);
        System.out.println("NY gap time 02:30 -> " + gap.toLocalTime() + " offset " + gap.getOffset());
        ZonedDateTime overlap = ZonedDateTime.of(LocalDateTime.of(2023, 11, 5, 1, 30), ny);
        System.out.println("NY overlap earlier " + overlap.withEarlierOffsetAtOverlap().getOffset() + " later "
                + overlap.withLaterOffsetAtOverlap().getOffset());
        ZonedDateTime meeting = ZonedDateTime.of(LocalDateTime.of(2024, 6, 1, 9, 0), berlin);
        System.out.println("Berlin 09:00 = NY " + meeting.withZoneSameInstant(ny).toLocalTime() + " = Tokyo "
                + meeting.withZoneSameInstant(tokyo).toLocalDateTime() + " epoch " + meeting.toEpochSecond());
        System.out.println("berlin DST " + berlin.getRules().isDaylightSavings(meeting.toInstant()) + " standard offset "
                + berlin.getRules().getStandardOffset(meeting.toInstant()) + " next transition "
                + berlin.getRules().nextTransition(meeting.toInstant()));
        System.out.println("hours in NY 2023-03-12 " + Duration.between(LocalDate.of(2023, 3, 12).atStartOfDay(ny),
                LocalDate.of(2023, 3, 13).atStartOfDay(ny)).toHours());
        OffsetDateTime odt = OffsetDateTime.of(2024, 12, 31, 23, 59, 59, 0, ZoneOffset.ofHoursMinutes(5, 30));
        System.out.println("offset date-time " + odt + " utc " + odt.withOffsetSameInstant(ZoneOffset.UTC) + " instant " + odt.toInstant());
        System.out.println("default zone " + ZoneId.systemDefault() + " TimeZone " + TimeZone.getDefault().getID());

        DateTimeFormatter f1 = DateTimeFormatter.ofPattern("EEEE, d MMMM uuuu HH:mm:ss", Locale.ROOT);
        DateTimeFormatter f2 = DateTimeFormatter.ofPattern("dd/MM/yy hh:mm a", Locale.US);
        System.out.println("format " + now.format(f1) + " | " + now.format(f2) + " | " + now.format(DateTimeFormatter.ISO_WEEK_DATE)
                + " | " + now.format(DateTimeFormatter.BASIC_ISO_DATE) + " | " + meeting.format(DateTimeFormatter.RFC_1123_DATE_TIME)
                + " | " + meeting.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        System.out.println("parse " + LocalDate.parse("2021-07-04") + " " + LocalDateTime.parse("03/04/2025 10:20",
                DateTimeFormatter.ofPattern("dd/MM/uuuu HH:mm")) + " " + ZonedDateTime.parse("2022-10-30T02:30:00+01:00[Europe/Berlin]")
                + " " + Instant.parse("1970-01-01T00:00:00Z").plus(1, ChronoUnit.DAYS).getEpochSecond());
        try {
            LocalDate.parse("2023-02-29");
        } catch (DateTimeParseException e) {
            System.out.println("invalid date: DateTimeParseException");
        }
        try {
            LocalDate.of(2023, 13, 1);
        } catch (DateTimeException e) {
            System.out.println("invalid month: " + e.getMessage());
        }
        Instant i = Instant.ofEpochSecond(1_700_000_000L, 999);
        System.out.println("instant " + i + " epoch milli " + i.toEpochMilli() + " max year " + LocalDate.MAX.getYear()
                + " min " + Instant.MIN + " legacy Date " + Date.from(i).getTime());
        List<LocalDate> dates = new ArrayList<>(List.of(LocalDate.of(2020, 5, 1), LocalDate.of(1999, 12, 31), LocalDate.of(2020, 4, 30)));
        Collections.sort(dates);
        System.out.println("sorted dates " + dates + " datesUntil count " + LocalDate.of(2024, 1, 1).datesUntil(LocalDate.of(2025, 1, 1)).count());
        System.out.println("Japanese era " + java.time.chrono.JapaneseDate.from(LocalDate.of(2024, 5, 1)) + " ThaiBuddhist "
                + java.time.chrono.ThaiBuddhistDate.from(LocalDate.of(2024, 5, 1)));
    }
}
