from livefire.cli import main

raise SystemExit(main())
