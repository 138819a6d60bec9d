from . import test_security
from . import test_exposure
from . import test_block
from . import test_release
from . import test_concurrency
from . import test_portal
from . import test_payment
from . import test_i18n
