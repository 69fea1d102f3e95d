"""barometre.register: the official register of collectivités (COG 2026), strata and custom frames."""

from barometre.register.custom_frames import (
    ImportResult,
    import_attributes,
    import_file,
    import_frame,
)
from barometre.register.frame import OFFICIAL_KINDS, Register, load_register
from barometre.register.strata import (
    DGCL_BOUNDARIES,
    STRATUM_COLUMNS,
    add_strata,
    kind_detail_expr,
    parse_class_option,
    region_group_expr,
    size_class_expr,
    size_class_labels,
    stratum_totals,
)
from barometre.register.workspace import Workspace, default_workspace

__all__ = [
    "DGCL_BOUNDARIES",
    "OFFICIAL_KINDS",
    "STRATUM_COLUMNS",
    "ImportResult",
    "Register",
    "Workspace",
    "add_strata",
    "default_workspace",
    "import_attributes",
    "import_file",
    "import_frame",
    "kind_detail_expr",
    "load_register",
    "parse_class_option",
    "region_group_expr",
    "size_class_expr",
    "size_class_labels",
    "stratum_totals",
]
