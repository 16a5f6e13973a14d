"""The default codebook of the reference study (three themes and their codes)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultCode:
    key: str
    name: dict[str, str]  # language -> name
    definition: dict[str, str]
    colour: str


@dataclass(frozen=True)
class DefaultTheme:
    key: str
    name: dict[str, str]
    definition: dict[str, str]
    colour: str
    codes: tuple[DefaultCode, ...]


def _c(key, id_name, en_name, id_def, en_def, colour):
    return DefaultCode(key, {"id": id_name, "en": en_name}, {"id": id_def, "en": en_def}, colour)


DEFAULT_CODEBOOK = (
    DefaultTheme(
        "pelaksanaan",
        {"id": "Pelaksanaan koordinasi", "en": "How coordination runs"},
        {
            "id": "Bagaimana koordinasi kebijakan teknis dijalankan sehari-hari.",
            "en": "How coordination of technical policy is carried out day to day.",
        },
        "#1f5fa8",
        (
            _c("regulasi", "Mengikuti regulasi", "Follows regulation",
               "Koordinasi berpijak pada peraturan (Perbup tugas pokok dan fungsi, Permendagri, SOP).",
               "Coordination rests on regulation (regent's regulation on duties, ministry rules, SOPs).",
               "#1f77b4"),
            _c("situasional", "Situasional, tidak terjadwal", "Situational, not scheduled",
               "Koordinasi hanya terjadi bila ada masalah atau instruksi, bukan menurut jadwal.",
               "Coordination happens when a problem or an instruction arises, not on a schedule.",
               "#17becf"),
            _c("kesenjangan", "Kesenjangan perumusan dan lapangan",
               "Gap between formulation and field",
               "Apa yang dirumuskan di kantor berbeda dengan pelaksanaan di distrik.",
               "What is formulated in the office differs from what is carried out in the districts.",
               "#6a51a3"),
        ),
    ),
    DefaultTheme(
        "hambatan",
        {"id": "Hambatan", "en": "Obstacles"},
        {
            "id": "Hal-hal yang menghambat koordinasi kebijakan teknis.",
            "en": "What stands in the way of coordinating technical policy.",
        },
        "#b22222",
        (
            _c("komunikasi", "Komunikasi", "Communication",
               "Informasi tidak sampai, instruksi hanya lisan, jarak hierarki, pesan terlewat.",
               "Information does not arrive, instructions only spoken, hierarchy, missed messages.",
               "#d62728"),
            _c("data_dokumen", "Pengelolaan data dan dokumen", "Data and document management",
               "Data penerima berbeda-beda, tidak ada basis data bersama, arsip hilang atau manual.",
               "Recipient lists differ, no shared database, archives lost or kept by hand.",
               "#ff7f0e"),
            _c("tumpang_tindih", "Tumpang tindih tugas", "Task overlap",
               "Tugas yang sama ditangani dua unit atau dua perangkat daerah.",
               "The same task handled by two units or two agencies.",
               "#e377c2"),
            _c("forum", "Forum koordinasi terbatas", "Too few coordination forums",
               "Tidak ada rapat koordinasi rutin; forum hanya sesekali.",
               "No routine coordination meeting; forums only now and then.",
               "#8c564b"),
            _c("sarana", "Sarana pendukung terbatas", "Limited supporting facilities",
               "Komputer, internet, listrik, kendaraan atau ruang kerja yang kurang.",
               "Too few computers, poor internet, electricity, vehicles or office space.",
               "#bcbd22"),
            _c("geografis", "Geografis dan akses", "Geography and access",
               "Distrik yang hanya terjangkau pesawat atau jalan kaki; cuaca, keamanan, biaya.",
               "Districts reached only by plane or on foot; weather, security, cost.",
               "#7f7f7f"),
        ),
    ),
    DefaultTheme(
        "upaya",
        {"id": "Upaya perbaikan", "en": "Improvements"},
        {
            "id": "Upaya yang diusulkan atau dilakukan untuk memperbaiki koordinasi.",
            "en": "What is proposed or done to improve coordination.",
        },
        "#2e7d32",
        (
            _c("terjadwal", "Koordinasi terjadwal", "Scheduled coordination",
               "Rapat koordinasi rutin dengan jadwal dan agenda.",
               "Routine coordination meetings with a schedule and an agenda.",
               "#2ca02c"),
            _c("pembagian_tugas", "Pembagian tugas yang jelas", "Clear division of tasks",
               "Uraian tugas direvisi, SK pembagian tugas, siapa mengerjakan apa.",
               "Revised task descriptions, a decree dividing tasks, who does what.",
               "#98df8a"),
            _c("pemerataan_informasi", "Pemerataan informasi kebijakan",
               "Even spread of policy information",
               "Surat edaran ke semua staf, papan informasi, folder bersama.",
               "Circulars to all staff, a notice board, a shared folder.",
               "#9edae5"),
            _c("kapasitas", "Peningkatan kapasitas staf", "Staff capacity",
               "Pelatihan, bimbingan teknis, pendampingan dan pembinaan staf.",
               "Training, technical guidance, coaching and mentoring of staff.",
               "#c5b0d5"),
        ),
    ),
)  # fmt: skip
