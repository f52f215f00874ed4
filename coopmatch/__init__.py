"""coopmatch: keep public money local by matching anchors' tenders to local suppliers."""

from flask import Flask

from config import BASE_DIR, configs


def create_app(config_name: str = "development", **overrides) -> Flask:
    """Build the app: wire configuration, extensions, blueprints, error handlers and commands."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    config = configs[config_name]
    if hasattr(config, "check"):
        config.check()
    app.config.from_object(config)
    app.config.update(overrides)

    from coopmatch import db, reference
    from coopmatch.web import access, converters, errors, filters

    db.init_app(app)
    reference.init_app(app)
    access.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
    converters.init_app(app)  # before the blueprints' routes are bound

    from coopmatch.api import bp as api_bp
    from coopmatch.web.admin import bp as admin_bp
    from coopmatch.web.auth import bp as auth_bp
    from coopmatch.web.gaps import bp as gaps_bp
    from coopmatch.web.imports import bp as imports_bp
    from coopmatch.web.main import bp as main_bp
    from coopmatch.web.spend import bp as spend_bp
    from coopmatch.web.suppliers import bp as suppliers_bp
    from coopmatch.web.tenders import bp as tenders_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(tenders_bp, url_prefix="/tenders")
    app.register_blueprint(suppliers_bp, url_prefix="/suppliers")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(imports_bp, url_prefix="/imports")
    app.register_blueprint(spend_bp, url_prefix="/spend")
    app.register_blueprint(gaps_bp, url_prefix="/gaps")
    app.register_blueprint(api_bp, url_prefix="/api")

    from coopmatch.cli import register_commands

    register_commands(app)
    return app
